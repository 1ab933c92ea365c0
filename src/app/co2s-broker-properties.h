/* co2s-broker-properties.h — the existing Kafka's librdkafka properties
 * ("broker-properties" setting, KEY=VALUE strings) as the text the
 * Preferences edit: one property per line, secret values masked.
 *
 * A key is secret when it contains "password" or "secret" (any case):
 * sasl.password, ssl.key.password, sasl.oauthbearer.client.secret… Its
 * value is shown as CO2S_BROKER_PROPERTIES_MASK; a masked line read back
 * keeps the value it had.
 *
 * Pure functions, any thread. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What a secret value is shown as. */
#define CO2S_BROKER_PROPERTIES_MASK "••••••••"

/* TRUE when the value of @key must not be shown (see above). */
gboolean co2s_broker_property_is_secret (const char *key);

/* @properties (may be NULL) as text, one per line, each followed by "\n";
 * with @mask, the values of secret keys (non-empty ones) replaced by
 * CO2S_BROKER_PROPERTIES_MASK. Free with g_free(). */
char *co2s_broker_properties_to_text (const char * const *properties,
                                      gboolean mask);

/* The properties of @text: one per line, surrounding spaces removed, blank
 * lines left out, "#" comments kept. A secret key whose value is
 * CO2S_BROKER_PROPERTIES_MASK gets its value from @previous (may be NULL:
 * the first line of @previous with that key), else is kept as written.
 * A line that is not KEY=VALUE (no "=", or nothing before it) is left out;
 * @problem (may be NULL) then gets a translated sentence naming the first
 * such line (NULL when every line is good; free with g_free()).
 * Returns a NULL-terminated array, free with g_strfreev(). */
char **co2s_broker_properties_from_text (const char *text,
                                         const char * const *previous,
                                         char **problem);

G_END_DECLS
