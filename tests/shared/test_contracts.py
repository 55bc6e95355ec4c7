"""The contract registry: every payload a publisher can send, a fresh consumer can read."""

import importlib
import inspect
import pkgutil

import shared.contracts
from shared.contracts import REGISTRY
from shared.kit.events import EventPayload


def contract_payloads() -> list[type[EventPayload]]:
    """Every event payload model defined in any module of shared/contracts/."""
    found = []
    for module_info in pkgutil.iter_modules(shared.contracts.__path__):
        module = importlib.import_module(f"shared.contracts.{module_info.name}")
        for _, obj in inspect.getmembers(module, inspect.isclass):
            defined_here = obj.__module__ == module.__name__
            if defined_here and issubclass(obj, EventPayload) and obj is not EventPayload:
                found.append(obj)
    return found


def test_every_contract_module_is_registered() -> None:
    payloads = contract_payloads()
    assert payloads, "no event payloads found in shared/contracts"
    missing = [p.__name__ for p in payloads if p not in REGISTRY]
    assert not missing, f"add these to shared/contracts/__init__.py REGISTRY: {missing}"


def test_every_registered_type_is_versioned_and_on_its_context_topic() -> None:
    for model in REGISTRY:
        assert model.event_type.startswith("de.lotse."), model
        assert model.event_type.rsplit(".", 1)[1].startswith("v"), model
        assert model.topic.startswith("lotse."), model
        assert REGISTRY.model(model.event_type) is model
