"""rasa_server/graph_runner.py: the served graphs run in order give what Rasa's dask runner gives,
on a small graph of test components (tests/rasa/test_rasa_project.py compares the trained model's
graphs on real messages)."""

from __future__ import annotations

from typing import Any

import pytest
from rasa.engine.exceptions import GraphComponentException, GraphRunError
from rasa.engine.graph import ExecutionContext, GraphComponent, GraphSchema, SchemaNode
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.engine.storage.local_model_storage import LocalModelStorage

from rasa_server import graph_runner

CALLS: list[str] = []


class Add(GraphComponent):
    """Adds its inputs to its configured number and records that it ran."""

    def __init__(self, config: dict) -> None:
        self.number = config["number"]
        self.name = config["name"]

    @classmethod
    def create(cls, config: dict, model_storage: Any, resource: Any, execution_context: Any) -> Add:
        return cls(config)

    def add(self, **numbers: int) -> int:
        CALLS.append(self.name)
        if self.number < 0:
            raise ValueError("a negative number")
        return self.number + sum(numbers.values())


def node(number: int, name: str, **needs: str) -> SchemaNode:
    return SchemaNode(needs=needs, uses=Add, constructor_name="create", fn="add",
                      config={"number": number, "name": name}, eager=True, is_target=True)  # fmt: skip


SCHEMA = GraphSchema(
    {
        "first": node(1, "first", start="__start__"),
        "second": node(10, "second", a="first"),
        "both": node(100, "both", a="first", b="second"),
        "apart": node(1000, "apart"),
        "unfed": node(5, "unfed", a="no_such_node"),
        "failing": node(-1, "failing", a="first"),
    }
)


@pytest.fixture
def runners(tmp_path):
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(graph_schema=SCHEMA, model_id="test")
    return DaskGraphRunner(SCHEMA, storage, context), DaskGraphRunner(SCHEMA, storage, context)


def both_ways(runners, inputs, targets):
    dask_runner, ordered_runner = runners
    CALLS.clear()
    expected = graph_runner.DASK_RUN(dask_runner, inputs, targets)
    dask_calls = sorted(CALLS)
    CALLS.clear()
    got = graph_runner.run_in_order(ordered_runner, inputs, targets)
    return expected, got, dask_calls, sorted(CALLS)


@pytest.mark.parametrize("targets", [["both"], ["first", "both"], ["apart", "second"], ["second", "second"]])
def test_the_same_outputs_from_the_same_nodes_each_run_once(runners, targets):
    expected, got, dask_calls, calls = both_ways(runners, {"__start__": 2}, targets)
    assert got == expected
    assert calls == dask_calls and len(calls) == len(set(calls))


def test_the_order_is_worked_out_once_per_target_list(runners):
    _, ordered = runners
    for start in (1, 2, 3):
        assert graph_runner.run_in_order(ordered, {"__start__": start}, ["both"]) == {
            "both": 100 + 10 + 2 * (1 + start)
        }
    assert list(ordered._orders_in_sequence) == [("both",)]


def test_an_input_nothing_provides_is_passed_by_name_and_refused_as_by_dask(runners):
    dask_runner, ordered = runners
    with pytest.raises(GraphRunError) as dask_error:
        graph_runner.DASK_RUN(dask_runner, {}, ["unfed"])
    with pytest.raises(GraphRunError) as error:
        graph_runner.run_in_order(ordered, {}, ["unfed"])
    assert str(error.value) == str(dask_error.value)


def test_a_failing_component_fails_the_run_as_under_dask(runners):
    dask_runner, ordered = runners
    with pytest.raises(GraphComponentException) as dask_error:
        graph_runner.DASK_RUN(dask_runner, {"__start__": 0}, ["failing"])
    with pytest.raises(GraphComponentException) as error:
        graph_runner.run_in_order(ordered, {"__start__": 0}, ["failing"])
    assert str(error.value) == str(dask_error.value)


def test_an_input_value_naming_a_node_is_refused_as_by_dask(runners):
    dask_runner, ordered = runners
    with pytest.raises(GraphRunError, match="clashes with a node name"):
        graph_runner.DASK_RUN(dask_runner, {"__start__": "first"}, ["both"])
    with pytest.raises(GraphRunError, match="clashes with a node name"):
        graph_runner.run_in_order(ordered, {"__start__": "first"}, ["both"])
