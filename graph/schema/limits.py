"""Query limits, checked before any resolver runs: tokens, depth, aliases and an estimated cost.

- tokens: the parser stops after ``max_tokens`` (a huge document is never fully parsed);
- depth and aliases: a validation rule, so its verdict is cached with the document's validation;
- cost: needs the variables (``first: $n``), so it is computed just before execution. Every field
  costs 1 per object it is asked of; a connection's ``first`` (default 10) multiplies the cost of
  everything below it, so ``invoices(first: 100) { nodes { lines { ... } } }`` counts 100 times.

Fragments are measured once each and reused (their cost is linear in the multiplier), so a
document of nested fragment spreads cannot make the measurement itself expensive.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from graphql import (
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    VariableNode,
)
from graphql.language import DocumentNode
from graphql.utilities import get_operation_ast
from graphql.validation import ASTValidationRule
from strawberry.extensions import ParserCache, SchemaExtension

from graph.schema.connections import DEFAULT_PAGE, MAX_PAGE
from graph.schema.errors import QueryTooComplex

PAGE_ARGUMENT = "first"


@dataclass(frozen=True, slots=True)
class QueryLimits:
    max_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 2000
    max_cost: int = 5000

    @classmethod
    def from_settings(cls, settings: Any) -> QueryLimits:
        return cls(settings.max_depth, settings.max_aliases, settings.max_tokens, settings.max_cost)


def _is_introspection(field: FieldNode) -> bool:
    return field.name.value.startswith("__")


class _Measure:
    """Depth and alias count of a document's operations, fragments measured once each."""

    def __init__(self, fragments: Mapping[str, FragmentDefinitionNode]) -> None:
        self.fragments = fragments
        self._memo: dict[str, tuple[int, int]] = {}

    def selection_set(self, node: SelectionSetNode | None) -> tuple[int, int]:
        depth = aliases = 0
        for selection in node.selections if node else ():
            if isinstance(selection, FieldNode):
                if _is_introspection(selection):
                    aliases += selection.alias is not None
                    continue
                below, inner = self.selection_set(selection.selection_set)
                depth, aliases = max(depth, below + 1), aliases + inner + (selection.alias is not None)
            else:
                below, inner = self._fragment_like(selection)
                depth, aliases = max(depth, below), aliases + inner
        return depth, aliases

    def _fragment_like(self, node: Any) -> tuple[int, int]:
        if isinstance(node, InlineFragmentNode):
            return self.selection_set(node.selection_set)
        name = node.name.value
        if name not in self._memo:
            self._memo[name] = (0, 0)  # a cycle is reported by graphql's own rules
            fragment = self.fragments.get(name)
            self._memo[name] = self.selection_set(fragment.selection_set if fragment else None)
        return self._memo[name]


def depth_and_alias_rule(limits: QueryLimits) -> type[ASTValidationRule]:
    """A validation rule class for ``limits`` (one class per schema keeps the validation cache warm)."""

    class DepthAndAliasLimit(ASTValidationRule):
        def enter_document(self, node: DocumentNode, *_: Any) -> None:
            context: ValidationContext = self.context
            fragments = {d.name.value: d for d in node.definitions if isinstance(d, FragmentDefinitionNode)}
            measure = _Measure(fragments)
            for definition in node.definitions:
                if not isinstance(definition, OperationDefinitionNode):
                    continue
                depth, aliases = measure.selection_set(definition.selection_set)
                if depth > limits.max_depth:
                    context.report_error(QueryTooComplex("depth", limits.max_depth))
                    return
                if aliases > limits.max_aliases:
                    context.report_error(QueryTooComplex("aliases", limits.max_aliases))
                    return

    return DepthAndAliasLimit


class _Cost:
    def __init__(self, fragments: Mapping[str, FragmentDefinitionNode], variables: Mapping[str, Any]) -> None:
        self.fragments, self.variables = fragments, variables
        self._memo: dict[str, int] = {}

    def selection_set(self, node: SelectionSetNode | None) -> int:
        """The cost of ``node`` asked once; callers multiply."""
        total = 0
        for selection in node.selections if node else ():
            if isinstance(selection, FieldNode):
                if not _is_introspection(selection):
                    total += 1 + self._page_size(selection) * self.selection_set(selection.selection_set)
            elif isinstance(selection, InlineFragmentNode):
                total += self.selection_set(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                total += self._fragment(selection.name.value)
        return total

    def _fragment(self, name: str) -> int:
        if name not in self._memo:
            self._memo[name] = 0
            fragment = self.fragments.get(name)
            self._memo[name] = self.selection_set(fragment.selection_set if fragment else None)
        return self._memo[name]

    def _page_size(self, field: FieldNode) -> int:
        argument = next((a for a in field.arguments or () if a.name.value == PAGE_ARGUMENT), None)
        if argument is None:
            return 1 if not self._is_connection(field) else DEFAULT_PAGE
        value: Any = argument.value
        if isinstance(value, VariableNode):
            value = self.variables.get(value.name.value)
        elif isinstance(value, IntValueNode):
            value = int(value.value)
        if not isinstance(value, int) or isinstance(value, bool):
            return DEFAULT_PAGE if value is None else MAX_PAGE
        return min(max(value, 1), MAX_PAGE)

    @staticmethod
    def _is_connection(field: FieldNode) -> bool:
        # Connections are the fields that take `first`; asked without it they return a default page.
        selections = field.selection_set.selections if field.selection_set else ()
        return any(isinstance(s, FieldNode) and s.name.value in ("edges", "nodes") for s in selections)


def operation_cost(
    document: DocumentNode, operation_name: str | None, variables: Mapping[str, Any] | None
) -> int:
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return 0
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    return _Cost(fragments, variables or {}).selection_set(operation.selection_set)


class DocumentCache(ParserCache):
    """``ParserCache`` that leaves a document which does not parse to strawberry's own parse: its
    syntax error then ends the operation normally, where the other extensions see and type it."""

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        with suppress(GraphQLError):
            context.graphql_document = self.cached_parse_document(context.query, **context.parse_options)
        yield


def limits_extension(limits: QueryLimits) -> type[SchemaExtension]:
    """The schema extension enforcing ``limits``; add it with ParserCache and ValidationCache."""
    rule = depth_and_alias_rule(limits)
    tokens_exceeded = f"more than {limits.max_tokens} tokens"

    class QueryLimiter(SchemaExtension):
        def on_operation(self) -> Iterator[None]:
            context = self.execution_context
            context.parse_options["max_tokens"] = limits.max_tokens
            context.validation_rules = (*context.validation_rules, rule)
            yield
            result = context.result
            if result is not None and result.errors:
                result.errors = [
                    QueryTooComplex("tokens", limits.max_tokens)
                    if error.original_error is None and tokens_exceeded in error.message
                    else error
                    for error in result.errors
                ]

        def on_execute(self) -> Iterator[None]:
            context = self.execution_context
            assert context.graphql_document is not None
            cost = operation_cost(context.graphql_document, context.operation_name, context.variables)
            if cost > limits.max_cost:
                error: GraphQLError = QueryTooComplex("cost", limits.max_cost)
                context.result = ExecutionResult(data=None, errors=[error])
            yield

    return QueryLimiter


__all__ = ["DocumentCache", "QueryLimits", "depth_and_alias_rule", "limits_extension", "operation_cost"]
