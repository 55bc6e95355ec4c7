-- Runs once, when the PostgreSQL data volume is initialised (docker-entrypoint-initdb.d).
-- One database per service; each service migrates its own schema at start.
CREATE DATABASE lotse_gateway;
CREATE DATABASE lotse_projects;
CREATE DATABASE lotse_knowledge;
CREATE DATABASE lotse_funding;
