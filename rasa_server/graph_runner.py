"""The served model's graph run in order, without dask: what DaskGraphRunner.run computes, for a
graph whose nodes run one after another anyway.

Rasa 3.6 runs each message's two graphs (the NLU parse, then the policies' prediction after every
action) through `dask.get` with its synchronous scheduler: per run it rebuilds the minimal schema and
a dask graph, orders it and fires each task through dask's bookkeeping. Under 16 concurrent
conversations that bookkeeping was about a quarter of the graphs' time, 2.4 ms per message
(pyinstrument, benchmarks/profile_server.py, 2026-12-02), for graphs of a few nodes that dask only
ever runs sequentially in one thread. Here the order of each target list is worked out once and
the nodes are called in it, each given its needs' outputs exactly as dask passes them: the
`(node name, output)` a node returned or an input was given as, and the bare name of a need that
nothing provides (GraphNode warns about those, as under dask). Errors are Rasa's: a RuntimeError
becomes GraphRunError, everything else passes through. tests/unit/test_graph_runner.py runs a
trained model's graphs both ways and compares the results.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner

DASK_RUN = DaskGraphRunner.run  # Rasa's own, kept for the tests that compare the two
Order = tuple[tuple[str, tuple[str, ...]], ...]  # (node, the names of its needs), dependencies first


def order_for(runner: DaskGraphRunner, targets: tuple[str, ...]) -> Order:
    """The nodes the targets depend on (themselves included), each after everything it needs."""
    orders: dict[tuple[str, ...], Order] = runner.__dict__.setdefault("_orders_in_sequence", {})
    if targets not in orders:
        nodes = runner._graph_schema.nodes
        done: dict[str, tuple[str, ...]] = {}

        def visit(name: str, path: tuple[str, ...]) -> None:
            if name in done or name not in nodes:
                return  # run already, or an input placeholder
            if name in path:
                raise GraphRunError(f"The graph has a cycle through node '{name}'.")
            needs = tuple(nodes[name].needs.values())
            for need in needs:
                visit(need, (*path, name))
            done[name] = needs

        for target in targets:
            visit(target, ())
        orders[targets] = tuple(done.items())
    return orders[targets]


def run_in_order(
    self: DaskGraphRunner, inputs: dict[str, Any] | None = None, targets: list[str] | None = None
) -> dict[str, Any]:
    """DaskGraphRunner.run, the nodes called in dependency order in this thread."""
    run_targets = list(targets) if targets else self._graph_schema.target_names
    order = order_for(self, tuple(run_targets))
    outputs: dict[str, Any] = {}
    nodes = {name for name, _ in order} if inputs else set()
    for name, value in (inputs or {}).items():
        if isinstance(value, str) and value in nodes:  # as DaskGraphRunner._add_inputs_to_graph
            raise GraphRunError(
                f"Input value '{value}' clashes with a node name. Make sure that none of the input "
                f"names passed to the `run` method are the same as node names in the graph schema."
            )
        outputs[name] = (name, value)
    try:
        for name, needs in order:
            outputs[name] = self._instantiated_nodes[name](*(outputs.get(need, need) for need in needs))
    except RuntimeError as error:
        raise GraphRunError("Error running runner.") from error
    return dict(outputs[target] for target in run_targets)
