# Kamailio 5.6 from Debian bookworm: the same version `kamailio -c` checks kamailio.cfg with in
# the tests and in CI. Built by cluster/compose.yaml.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends kamailio kamailio-postgres-modules \
 && rm -rf /var/lib/apt/lists/*
# 5060 is an unprivileged port: Kamailio runs as its own user, not root
USER kamailio
EXPOSE 5060/udp 5060/tcp
CMD ["kamailio", "-DD", "-E", "-f", "/etc/kamailio/kamailio.cfg"]
