#!/bin/sh
# Fills Kamailio's subscriber table with the SIP accounts of dialplan/pjsip.conf (mounted at
# /etc/asterisk-ivr/pjsip.conf) and the same passwords the Asterisk entrypoint gives them:
# PJSIP_PASSWORD_<ACCOUNT> (upper case, - as _), else PJSIP_PASSWORD_DEFAULT.
# Run by the postgres image on a new data volume; after a password change run it again:
#   docker compose -f docker/cluster/compose.yaml exec postgres sh /docker-entrypoint-initdb.d/20-subscribers.sh
set -eu
PJSIP_CONF=${PJSIP_CONF:-/etc/asterisk-ivr/pjsip.conf}
missing=''
for auth in $(sed -n 's/^\[\([A-Za-z0-9_-]*-auth\)\](phone-auth).*/\1/p' "$PJSIP_CONF"); do
  account=${auth%-auth}
  var="PJSIP_PASSWORD_$(printf '%s' "$account" | tr 'a-z-' 'A-Z_')"
  eval "password=\${$var:-\${PJSIP_PASSWORD_DEFAULT:-}}"
  if [ -z "$password" ]; then
    missing="$missing $var"
    continue
  fi
  # psql variables (:'u', :'p') quote the values: no SQL injection from a password.
  psql -v ON_ERROR_STOP=1 -q --username "${POSTGRES_USER:-ivr}" --dbname "${POSTGRES_DB:-ivr}" \
    -v u="$account" -v p="$password" <<'SQL'
INSERT INTO subscriber (username, domain, password) VALUES (:'u', '', :'p')
ON CONFLICT (username, domain) DO UPDATE SET password = EXCLUDED.password;
SQL
done
if [ -n "$missing" ]; then
  echo "20-subscribers.sh: no password for:$missing (set them in docker/.env)" >&2
  exit 1
fi
