"""Kafka topic names, one per owning context."""

GATEWAY = "lotse.gateway"
PROJECTS = "lotse.projects"
FUNDING = "lotse.funding"
