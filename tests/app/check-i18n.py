#!/usr/bin/env python3
"""check-i18n.py — the translation checks of co2stream (meson suite 'i18n').

Usage: check-i18n.py CHECK SOURCE_ROOT [BUILD_ROOT]

CHECK is one of:
  catalogue   every po/LINGUAS catalogue passes `msgfmt --check`, and the
              build produced its .mo (BUILD_ROOT/po/LANG/LC_MESSAGES/co2stream.mo)
              and merged it into the desktop file and the metainfo
  complete    the .pot regenerated with xgettext from po/POTFILES.in (in a
              temporary folder) has no message that a catalogue lacks, and no
              catalogue has fuzzy or untranslated entries
  selftest    runs the three checks on tests/app/i18n-fixtures (a tree full of
              mistakes) and fails unless each check catches every mistake
  marked      no user-visible string is left unmarked: in .ui files, a label,
              title, tooltip… property, menu label or string-list item without
              translatable="yes"; in C, a bare string literal given to
              gtk_label_new, *_set_title, *_set_label, adw_toast_new… (in
              the app and the command-line programs), or a GOptionEntry
              description or arg_description not in N_();
              and every source file with marked strings is in POTFILES.in
Exit status 0 when the check passes, 1 with the reasons otherwise.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

DOMAIN = 'co2stream'

# What meson's i18n.gettext(preset: 'glib') gives xgettext, plus po/meson.build's args.
XGETTEXT_ARGS = [
    '--from-code=UTF-8', '--add-comments=Translators',
    '--keyword=_', '--keyword=N_', '--keyword=C_:1c,2', '--keyword=NC_:1c,2',
    '--keyword=g_dcgettext:2', '--keyword=g_dngettext:2,3', '--keyword=g_dpgettext2:2c,3',
    '--flag=N_:1:pass-c-format', '--flag=C_:2:pass-c-format', '--flag=NC_:2:pass-c-format',
    '--flag=g_dngettext:2:pass-c-format', '--flag=g_strdup_printf:1:c-format',
    '--flag=g_string_printf:2:c-format', '--flag=g_string_append_printf:2:c-format',
    '--flag=g_error_new:3:c-format', '--flag=g_set_error:4:c-format',
    '--flag=g_markup_printf_escaped:1:c-format', '--flag=g_log:3:c-format',
    '--flag=g_print:1:c-format', '--flag=g_printerr:1:c-format', '--flag=g_printf:1:c-format',
    '--flag=g_fprintf:2:c-format', '--flag=g_sprintf:2:c-format', '--flag=g_snprintf:3:c-format',
]

# .ui properties people read or hear.
UI_TEXT_PROPERTIES = {
    'label', 'title', 'subtitle', 'tooltip-text', 'tooltip-markup', 'placeholder-text',
    'description', 'text', 'secondary-text', 'heading', 'body', 'button-label',
    'application-name', 'comments', 'developer-name', 'section-title', 'search-text',
    'caption', 'value-text',
}

# C functions whose string arguments are shown to users.
C_TEXT_FUNCTIONS = [
    'gtk_label_new', 'gtk_label_new_with_mnemonic', 'gtk_label_set_text', 'gtk_label_set_label',
    'gtk_label_set_markup', 'gtk_label_set_text_with_mnemonic', 'gtk_label_set_markup_with_mnemonic',
    'gtk_button_new_with_label', 'gtk_button_new_with_mnemonic', 'gtk_button_set_label',
    'gtk_check_button_new_with_label', 'gtk_check_button_new_with_mnemonic', 'gtk_check_button_set_label',
    'gtk_toggle_button_new_with_label', 'gtk_toggle_button_new_with_mnemonic',
    'gtk_window_set_title', 'gtk_widget_set_tooltip_text', 'gtk_widget_set_tooltip_markup',
    'gtk_entry_set_placeholder_text', 'gtk_text_set_placeholder_text', 'gtk_file_filter_set_name',
    'gtk_file_chooser_native_new', 'gtk_accessible_update_property', 'gtk_string_list_append',
    'gtk_progress_bar_set_text', 'gtk_menu_button_set_label', 'gtk_frame_new', 'gtk_frame_set_label',
    'adw_toast_new', 'adw_toast_set_title', 'adw_toast_set_button_label', 'adw_window_title_new',
    'adw_window_title_set_title', 'adw_window_title_set_subtitle', 'adw_preferences_row_set_title',
    'adw_action_row_set_subtitle', 'adw_expander_row_set_subtitle', 'adw_status_page_set_title',
    'adw_status_page_set_description', 'adw_preferences_group_set_title',
    'adw_preferences_group_set_description', 'adw_preferences_page_set_title',
    'adw_message_dialog_new', 'adw_message_dialog_set_heading', 'adw_message_dialog_set_body',
    'adw_message_dialog_add_response', 'adw_message_dialog_add_responses',
    'adw_button_content_set_label', 'adw_split_button_set_label', 'adw_tab_page_set_title',
    'g_set_application_name', 'g_application_set_option_context_summary',
    'g_application_set_option_context_parameter_string', 'g_option_context_new',
    'g_option_context_set_summary', 'g_option_context_set_description',
]

# Functions whose string arguments are partly ids: which arguments are shown.
C_TEXT_ARGUMENTS = {
    'adw_message_dialog_add_response': lambda i: i == 2,
    'adw_message_dialog_add_responses': lambda i: i >= 2 and i % 2 == 0,
}

NO_I18N_MARK = 'no-i18n'

# Source folders whose C files check_c reads: the app and the command-line
# programs (their --help and error messages are translated too).
C_CHECKED_DIRS = ('src/app/', 'src/api/', 'src/broker/', 'src/predict/', 'src/producer/',
                  'src/trainer/')


def fail(problems, title):
    if problems:
        print(title, file=sys.stderr)
        for p in problems:
            print('  ' + p, file=sys.stderr)
        return 1
    return 0


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def need_tool(name):
    path = shutil.which(name)
    if path is None:
        print(f'check-i18n: {name} is not installed (Debian: apt install gettext)', file=sys.stderr)
        sys.exit(1)
    return path


def linguas(src):
    with open(os.path.join(src, 'po', 'LINGUAS'), encoding='utf-8') as f:
        langs = []
        for line in f:
            line = line.split('#', 1)[0]
            langs.extend(line.split())
        return langs


def potfiles(src):
    files = []
    with open(os.path.join(src, 'po', 'POTFILES.in'), encoding='utf-8') as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith('#'):
                files.append(line)
    return files


# ---- catalogue ----------------------------------------------------------------

def check_catalogue(src, build):
    need_tool('msgfmt')
    problems = []
    for lang in linguas(src):
        po = os.path.join(src, 'po', lang + '.po')
        with tempfile.TemporaryDirectory() as tmp:
            r = run(['msgfmt', '--check', '--statistics', '-o', os.path.join(tmp, 'x.mo'), po])
        if r.returncode != 0:
            problems.append(f'{po}: msgfmt --check failed:\n{r.stderr}')
        else:
            print(f'{lang}: {r.stderr.strip()}')
        if build:
            mo = os.path.join(build, 'po', lang, 'LC_MESSAGES', DOMAIN + '.mo')
            if not os.path.isfile(mo) or os.path.getsize(mo) < 100:
                problems.append(f'{mo}: not built')
            # The desktop file and the metainfo carry the translations too.
            desktop = os.path.join(build, 'resources', 'io.github.co2stream.Co2stream.desktop')
            metainfo = os.path.join(build, 'resources', 'io.github.co2stream.Co2stream.metainfo.xml')
            for path, marker in ((desktop, f'Comment[{lang}]='), (metainfo, f'xml:lang="{lang}"')):
                if not os.path.isfile(path):
                    problems.append(f'{path}: not built')
                    continue
                with open(path, encoding='utf-8') as f:
                    if marker not in f.read():
                        problems.append(f'{path}: no {lang} translation ({marker} missing)')
    return fail(problems, 'The translation catalogues do not build:')


# ---- complete -----------------------------------------------------------------

def parse_po(path):
    """(msgctxt, msgid) → (translated, fuzzy) for the non-obsolete entries."""
    entries = {}
    ctxt = None
    msgid = None
    msgstr = []
    fuzzy = False
    current = None

    def unquote(s):
        s = s.strip()
        assert s.startswith('"') and s.endswith('"'), s
        return bytes(s[1:-1], 'utf-8').decode('unicode_escape').encode('latin-1').decode('utf-8')

    def flush():
        nonlocal ctxt, msgid, msgstr, fuzzy
        if msgid is not None and msgid != '':
            entries[(ctxt, msgid)] = (all(s != '' for s in msgstr) and len(msgstr) > 0, fuzzy)
        ctxt, msgid, msgstr, fuzzy = None, None, [], False

    with open(path, encoding='utf-8') as f:
        for line in f:
            line = line.rstrip('\n')
            if line.startswith('#~'):
                continue
            if line.startswith('#,'):
                if msgid is not None:
                    flush()
                fuzzy = 'fuzzy' in line
                continue
            if line.startswith('#') or line.strip() == '':
                if line.strip() == '' and msgid is not None:
                    flush()
                continue
            if line.startswith('msgctxt '):
                if msgid is not None:
                    flush()
                ctxt = unquote(line[len('msgctxt '):])
                current = 'ctxt'
            elif line.startswith('msgid_plural '):
                current = 'plural'
            elif line.startswith('msgid '):
                if msgid is not None:
                    keep_fuzzy = fuzzy
                    flush()
                    fuzzy = keep_fuzzy
                msgid = unquote(line[len('msgid '):])
                current = 'id'
            elif line.startswith('msgstr'):
                value = line.split(' ', 1)[1]
                msgstr.append(unquote(value))
                current = 'str'
            elif line.startswith('"'):
                text = unquote(line)
                if current == 'ctxt':
                    ctxt += text
                elif current == 'id':
                    msgid += text
                elif current == 'str':
                    msgstr[-1] += text
    flush()
    return entries


def check_complete(src, build):
    need_tool('xgettext')
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        pot = os.path.join(tmp, DOMAIN + '.pot')
        r = run(['xgettext', '--package-name=' + DOMAIN, '-o', pot, '-D', src,
                 '-f', os.path.join(src, 'po', 'POTFILES.in')] + XGETTEXT_ARGS)
        if r.returncode != 0:
            print('xgettext failed:\n' + r.stderr, file=sys.stderr)
            return 1
        wanted = parse_po(pot)
    print(f'{len(wanted)} messages in the regenerated template')

    for lang in linguas(src):
        po = os.path.join(src, 'po', lang + '.po')
        have = parse_po(po)
        for key in sorted(wanted, key=lambda k: (k[0] or '', k[1])):
            ctxt, msgid = key
            name = (f'[{ctxt}] ' if ctxt else '') + repr(msgid)
            if key not in have:
                problems.append(f'{lang}.po lacks {name}')
            else:
                translated, fuzzy = have[key]
                if fuzzy:
                    problems.append(f'{lang}.po: fuzzy {name}')
                elif not translated:
                    problems.append(f'{lang}.po: untranslated {name}')
        stale = [k for k in have if k not in wanted]
        for ctxt, msgid in stale:
            print(f'note: {lang}.po has a message no source uses: {msgid!r}')
    return fail(problems, 'The catalogues miss messages of the sources (run `ninja co2stream-update-po` and translate):')


# ---- marked -------------------------------------------------------------------

def has_words(text):
    return re.search(r'[A-Za-z]{2,}', text or '') is not None


def check_ui(path, rel, problems):
    try:
        tree = ET.parse(path)
    except ET.ParseError as e:
        problems.append(f'{rel}: not well-formed XML: {e}')
        return
    for elem in tree.iter():
        text = (elem.text or '').strip()
        if not has_words(text):
            continue
        translatable = elem.get('translatable') == 'yes'
        where = f'{rel}: <{elem.tag} name="{elem.get("name", "")}">{text[:50]}'
        if elem.tag == 'property' and elem.get('name') in UI_TEXT_PROPERTIES and not translatable:
            problems.append(where + ' is not marked translatable="yes"')
        elif elem.tag == 'attribute' and elem.get('name') == 'label' and not translatable:
            problems.append(where + ' (menu) is not marked translatable="yes"')
        elif elem.tag == 'item' and not translatable:
            problems.append(where + ' (string list item) is not marked translatable="yes"')


def split_args(s):
    """Top-level comma-separated arguments of a C call's argument text."""
    args, depth, cur, i = [], 0, '', 0
    while i < len(s):
        c = s[i]
        if c == '"' or c == "'":
            j = i + 1
            while j < len(s) and s[j] != c:
                j += 2 if s[j] == '\\' else 1
            cur += s[i:j + 1]
            i = j + 1
            continue
        if c in '([{':
            depth += 1
        elif c in ')]}':
            depth -= 1
        if c == ',' and depth == 0:
            args.append(cur.strip())
            cur = ''
        else:
            cur += c
        i += 1
    if cur.strip():
        args.append(cur.strip())
    return args


def strip_comments(code):
    # Keep line numbers: replace comments by as many newlines.
    def repl(m):
        return '\n' * m.group(0).count('\n') if NO_I18N_MARK not in m.group(0) else m.group(0)
    return re.sub(r'/\*.*?\*/|//[^\n]*', repl, code, flags=re.S)


def check_c(path, rel, problems):
    with open(path, encoding='utf-8') as f:
        code = strip_comments(f.read())
    call = re.compile(r'\b(' + '|'.join(C_TEXT_FUNCTIONS) + r')\s*\(')
    for m in call.finditer(code):
        start = m.end()
        depth, i = 1, start
        while i < len(code) and depth > 0:
            c = code[i]
            if c == '"':
                i += 1
                while i < len(code) and code[i] != '"':
                    i += 2 if code[i] == '\\' else 1
            elif c == '(':
                depth += 1
            elif c == ')':
                depth -= 1
            i += 1
        text = code[start:i - 1]
        line_no = code.count('\n', 0, m.start()) + 1
        line_end = code.find('\n', i)
        if NO_I18N_MARK in code[m.start():line_end if line_end >= 0 else len(code)]:
            continue
        shown = C_TEXT_ARGUMENTS.get(m.group(1), lambda i: True)
        for index, arg in enumerate(split_args(text)):
            if shown(index) and arg.startswith('"') and has_words(arg):
                problems.append(f'{rel}:{line_no}: {m.group(1)} gets the bare string {arg[:60]} '
                                '(mark it with _() or N_())')


def check_option_entries(path, rel, problems):
    """GOptionEntry arrays: description and arg_description must be N_()."""
    with open(path, encoding='utf-8') as f:
        code = strip_comments(f.read())
    for m in re.finditer(r'\bGOptionEntry\s+\w+\s*\[\s*\]\s*=\s*\{', code):
        depth, i = 1, m.end()
        while i < len(code) and depth > 0:
            c = code[i]
            if c == '"':
                i += 1
                while i < len(code) and code[i] != '"':
                    i += 2 if code[i] == '\\' else 1
            elif c == '{':
                depth += 1
            elif c == '}':
                depth -= 1
            i += 1
        for entry in split_args(code[m.end():i - 1]):
            if not entry.startswith('{'):
                continue
            fields = split_args(entry[1:-1])
            if len(fields) < 6:
                continue
            line_no = code.count('\n', 0, code.find(entry, m.end())) + 1
            for index, what in ((5, 'description'), (6, 'arg_description')):
                if index < len(fields) and fields[index].startswith('"') and has_words(fields[index]):
                    problems.append(f'{rel}:{line_no}: GOptionEntry {fields[0]} has the bare {what} '
                                    f'{fields[index][:60]} (mark it with N_())')


def check_marked(src, build):
    problems = []
    listed = set(potfiles(src))
    for rel in sorted(listed):
        if not os.path.isfile(os.path.join(src, rel)):
            problems.append(f'po/POTFILES.in lists {rel}, which does not exist')

    marker = re.compile(r'\b(_|N_|C_|NC_|ngettext|g_dngettext|g_dpgettext2)\s*\(')
    for top in ('src',):
        for root, _dirs, files in os.walk(os.path.join(src, top)):
            for name in sorted(files):
                path = os.path.join(root, name)
                rel = os.path.relpath(path, src)
                if name.endswith('.c'):
                    with open(path, encoding='utf-8') as f:
                        code = f.read()
                    if marker.search(code) and rel not in listed:
                        problems.append(f'{rel} has translatable strings but is not in po/POTFILES.in')
                    if rel.startswith(C_CHECKED_DIRS):
                        check_c(path, rel, problems)
                        check_option_entries(path, rel, problems)
    for name in sorted(os.listdir(os.path.join(src, 'ui'))):
        if name.endswith('.ui'):
            rel = 'ui/' + name
            if rel not in listed:
                problems.append(f'{rel} is not in po/POTFILES.in')
            check_ui(os.path.join(src, rel), rel, problems)
    for rel in ('resources/io.github.co2stream.Co2stream.desktop.in',
                'resources/io.github.co2stream.Co2stream.metainfo.xml.in'):
        if rel not in listed:
            problems.append(f'{rel} is not in po/POTFILES.in')
    return fail(problems, 'User-visible strings not marked for translation:')


# ---- self-test ----------------------------------------------------------------

# What each check must report on tests/app/i18n-fixtures.
SELFTEST_EXPECTED = {
    'catalogue': ['msgfmt --check failed'],
    'complete': ["lacks 'Missing from the catalogue'", "fuzzy 'Marked and fuzzy'",
                 "untranslated 'Marked but untranslated'"],
    'marked': ['unmarked.c:11: gtk_window_set_title gets the bare string "Bare window title"',
               'unmarked.c:12: gtk_widget_set_tooltip_text gets the bare string "Bare tooltip"',
               'unmarked.c:13: adw_message_dialog_add_responses gets the bare string "Bare response"',
               'src/app/unlisted.c has translatable strings but is not in po/POTFILES.in',
               'src/predict/main.c:9: GOptionEntry "bare" has the bare description "Bare option description"',
               'src/predict/main.c:10: GOptionEntry "arg" has the bare arg_description "BARE_ARG"',
               'src/predict/main.c:18: g_option_context_new gets the bare string "- bare parameter string"',
               'Bare menu item (menu) is not marked',
               'Bare list item (string list item) is not marked',
               'Bare tooltip in ui is not marked',
               'io.github.co2stream.Co2stream.desktop.in is not in po/POTFILES.in'],
}
SELFTEST_UNEXPECTED = {
    'marked': ['"cancel"', '"ok"', '"—"', 'Deliberately plain', 'Marked label', '>42', 'edit-copy-symbolic',
               'Marked option description', 'MARKED_ARG', '"marked"', '"none"'],
}


def check_selftest(src, build):
    import contextlib
    import io
    fixtures = os.path.join(src, 'tests', 'app', 'i18n-fixtures')
    problems = []
    for name, func in (('catalogue', check_catalogue), ('complete', check_complete), ('marked', check_marked)):
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            status = func(fixtures, None)
        report = err.getvalue()
        if status == 0:
            problems.append(f'{name}: passed on the fixtures, which are full of mistakes')
        for text in SELFTEST_EXPECTED[name]:
            if text not in report:
                problems.append(f'{name}: did not report {text!r}')
        for text in SELFTEST_UNEXPECTED.get(name, []):
            if text in report:
                problems.append(f'{name}: wrongly reported {text!r}')
        print(f'--- {name} on the fixtures (expected to fail):\n{report}')
    return fail(problems, 'The i18n checks miss mistakes:')


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    check, src = sys.argv[1], sys.argv[2]
    build = sys.argv[3] if len(sys.argv) > 3 else None
    checks = {'catalogue': check_catalogue, 'complete': check_complete, 'marked': check_marked,
              'selftest': check_selftest}
    if check not in checks:
        print(__doc__, file=sys.stderr)
        return 2
    return checks[check](src, build)


if __name__ == '__main__':
    sys.exit(main())
