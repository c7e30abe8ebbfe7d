"""Mutations: contact details and support cases, validated, with typed BAD_USER_INPUT errors."""

from __future__ import annotations

import strawberry

from graph.resolvers import mutations
from graph.schema.errors import BadUserInput
from graph.schema.types import Customer, Info, SupportCase, SupportCasePriority


@strawberry.input
class UpdateContactInfoInput:
    email: str | None = None
    phone: str | None = strawberry.field(default=None, description="An empty string clears the phone number.")


@strawberry.type
class UpdateContactInfoPayload:
    customer: Customer


@strawberry.input
class CreateSupportCaseInput:
    title: str
    message: str
    priority: SupportCasePriority | None = None  # type: ignore[valid-type]
    idempotency_key: str = strawberry.field(
        description="A fresh key per case (e.g. a UUID), reused on retries: one key never makes two cases."
    )


@strawberry.type
class CreateSupportCasePayload:
    support_case: SupportCase
    replayed: bool = strawberry.field(
        description="True when an earlier attempt with this idempotency key had already created the case."
    )


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Update the signed-in customer's email and phone.")
    async def update_contact_info(
        self, info: Info, input: UpdateContactInfoInput
    ) -> UpdateContactInfoPayload:
        try:
            record = await mutations.update_contact_info(
                info.context.loaders, email=input.email, phone=input.phone
            )
        except mutations.InvalidInput as error:
            raise BadUserInput(str(error), field=error.field) from None
        return UpdateContactInfoPayload(customer=Customer.from_record(record))

    @strawberry.mutation(description="Open a support case; idempotent by `idempotencyKey`.")
    async def create_support_case(
        self, info: Info, input: CreateSupportCaseInput
    ) -> CreateSupportCasePayload:
        try:
            created = await mutations.create_support_case(
                info.context.loaders,
                title=input.title,
                message=input.message,
                priority=input.priority.name if input.priority else None,
                idempotency_key=input.idempotency_key,
            )
        except mutations.InvalidInput as error:
            raise BadUserInput(str(error), field=error.field) from None
        return CreateSupportCasePayload(
            support_case=SupportCase.from_record(created.case), replayed=created.already_existed
        )


__all__ = ["Mutation"]
