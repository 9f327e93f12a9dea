#!/usr/bin/env bash
# First start of an empty PostgreSQL data volume (docker-entrypoint-initdb.d): one server, two metadata databases.
# POSTGRES_USER owns both; the password comes from the environment (POSTGRES_PASSWORD), never from this file.
set -euo pipefail
for db in airflow superset; do
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    -c "CREATE DATABASE \"$db\" OWNER \"$POSTGRES_USER\" ENCODING 'UTF8' TEMPLATE template0"
done
