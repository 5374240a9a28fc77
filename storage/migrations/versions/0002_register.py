"""Customer register, vehicles, dossiers and archive number counters.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _where(condition: str) -> dict[str, sa.TextClause]:
    return {"sqlite_where": sa.text(condition), "postgresql_where": sa.text(condition)}


def upgrade() -> None:
    op.create_table(
        "archive_counters",
        sa.Column("scope", sa.String(length=255), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("scope"),
    )

    op.create_table(
        "customers",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("customer_no", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=True),
        sa.Column("uscc", sa.String(length=18), nullable=True),
        sa.Column("phone", sa.String(length=64), nullable=True),
        sa.Column("department", sa.String(length=100), nullable=True),
        sa.Column("salesperson", sa.String(length=100), nullable=True),
        sa.Column("rejected_identifiers", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.create_index("uq_customers_customer_no", ["customer_no"], unique=True)
        batch_op.create_index(batch_op.f("ix_customers_name"), ["name"], unique=False)
        batch_op.create_index(batch_op.f("ix_customers_id_number"), ["id_number"], unique=False)
        batch_op.create_index(batch_op.f("ix_customers_uscc"), ["uscc"], unique=False)
        batch_op.create_index(batch_op.f("ix_customers_phone"), ["phone"], unique=False)

    op.create_table(
        "vehicles",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("vin", sa.String(length=32), nullable=False),
        sa.Column("vin_status", sa.String(length=16), nullable=False),
        sa.Column("plate", sa.String(length=16), nullable=True),
        sa.Column("customer_id", BigId, nullable=False),
        sa.Column("rejected_identifiers", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name="fk_vehicles_customer"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("vehicles", schema=None) as batch_op:
        batch_op.create_index("uq_vehicles_vin", ["vin"], unique=True)
        batch_op.create_index(batch_op.f("ix_vehicles_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_vehicles_plate"), ["plate"], unique=False)

    op.create_table(
        "dossiers",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("archive_no", sa.String(length=64), nullable=False),
        sa.Column("customer_id", BigId, nullable=False),
        sa.Column("vehicle_id", BigId, nullable=True),
        sa.Column("dossier_type", sa.String(length=16), nullable=False),
        sa.Column("order_no", sa.String(length=64), nullable=True),
        sa.Column("delivery_date", sa.Date(), nullable=True),
        sa.Column("service_date", sa.Date(), nullable=True),
        sa.Column("department", sa.String(length=100), nullable=True),
        sa.Column("salesperson", sa.String(length=100), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("handed_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name="fk_dossiers_customer"),
        sa.ForeignKeyConstraint(["vehicle_id"], ["vehicles.id"], name="fk_dossiers_vehicle"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("dossiers", schema=None) as batch_op:
        batch_op.create_index("uq_dossiers_archive_no", ["archive_no"], unique=True)
        batch_op.create_index("uq_dossiers_order_no", ["order_no"], unique=True)
        batch_op.create_index(batch_op.f("ix_dossiers_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_dossiers_vehicle_id"), ["vehicle_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_dossiers_state"), ["state"], unique=False)
        # The filing rules, held by the database: one new-car dossier per vehicle, one order-less
        # after-sales dossier per vehicle, one customer dossier per customer.
        batch_op.create_index(
            "uq_dossiers_new_car_vehicle", ["vehicle_id"], unique=True, **_where("dossier_type = 'new_car'")
        )
        batch_op.create_index(
            "uq_dossiers_after_sales_vehicle", ["vehicle_id"], unique=True,
            **_where("dossier_type = 'after_sales' AND order_no IS NULL"),
        )
        batch_op.create_index(
            "uq_dossiers_customer", ["customer_id"], unique=True, **_where("dossier_type = 'customer'")
        )


def downgrade() -> None:
    # Dropping a table drops its indexes on both SQLite and PostgreSQL.
    op.drop_table("dossiers")
    op.drop_table("vehicles")
    op.drop_table("customers")
    op.drop_table("archive_counters")
