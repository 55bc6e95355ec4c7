"""Kafka topic names, one per owning context."""

GATEWAY = "lotse.gateway"
PROJECTS = "lotse.projects"
KNOWLEDGE = "lotse.knowledge"
FUNDING = "lotse.funding"
