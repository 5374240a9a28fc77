"""Named permissions, scopes and the five default roles of seed 001 §3.2; what a logged-in actor may do.

Roles are data (rows an administrator edits); this module only names the permissions the code checks and the
roles a fresh installation starts with. Least privilege (seed 002 §五): the system administrator manages
users, roles and the audit log but does not read customer papers unless given a role that does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Permission(StrEnum):
    SEARCH = "search"  # full-text search over pages
    PAGES_VIEW = "pages.view"  # a page's text (and, with reveal, its image)
    DOSSIERS_VIEW = "dossiers.view"  # a dossier with its documents and completeness
    CUSTOMERS_VIEW = "customers.view"  # the customer register
    SENSITIVE_REVEAL = "sensitive.reveal"  # ID, passport and bank-account numbers unmasked (seed 003 §四)
    REVIEW_VIEW = "review.view"  # the review queue
    REVIEW_DECIDE = "review.decide"  # file, retype, split, merge, move
    INTAKE_UPLOAD = "intake.upload"  # add scans (browser upload comes later; the inbox folder now)
    INTAKE_VIEW = "intake.view"  # jobs and quarantine (own batches within scope `own`)
    REPORTS_VIEW = "reports.view"  # completeness and statistics
    USERS_MANAGE = "users.manage"  # users, roles, scopes, API tokens of others
    AUDIT_VIEW = "audit.view"  # the audit trail


PERMISSION_LABELS: dict[Permission, tuple[str, str]] = {
    Permission.SEARCH: ("全文搜索", "full-text search"),
    Permission.PAGES_VIEW: ("查看页面", "view pages"),
    Permission.DOSSIERS_VIEW: ("查看档案", "view dossiers"),
    Permission.CUSTOMERS_VIEW: ("查看客户登记", "view the customer register"),
    Permission.SENSITIVE_REVEAL: ("查看完整证件号、账号", "see full ID and account numbers"),
    Permission.REVIEW_VIEW: ("查看待审核", "view the review queue"),
    Permission.REVIEW_DECIDE: ("审核归档", "decide review items"),
    Permission.INTAKE_UPLOAD: ("上传扫描件", "upload scans"),
    Permission.INTAKE_VIEW: ("查看入库任务", "view intake jobs"),
    Permission.REPORTS_VIEW: ("统计报表", "reports and statistics"),
    Permission.USERS_MANAGE: ("用户与权限管理", "manage users and roles"),
    Permission.AUDIT_VIEW: ("查看审计日志", "view the audit trail"),
}


class Scope(StrEnum):
    """Which customers a permission reaches: seed 001 "特定范围内" for enquiry staff, "较广范围" for managers."""

    OWN = "own"  # customers and dossiers whose salesperson is the user's salesperson name
    DEPARTMENT = "department"  # customers and dossiers of the user's department
    ALL = "all"


_WIDTH = {Scope.OWN: 0, Scope.DEPARTMENT: 1, Scope.ALL: 2}


def wider(a: Scope | None, b: Scope | None) -> Scope | None:
    if a is None:
        return b
    if b is None:
        return a
    return a if _WIDTH[a] >= _WIDTH[b] else b


@dataclass(frozen=True, slots=True)
class RoleSpec:
    name: str
    label_zh: str
    label_en: str
    permissions: frozenset[Permission]
    scope: Scope


P = Permission
#: The roles of seed 001 §3.2 as a fresh installation has them; an administrator may change them afterwards.
DEFAULT_ROLES: tuple[RoleSpec, ...] = (
    RoleSpec("admin", "系统管理员", "system administrator", frozenset({P.USERS_MANAGE, P.AUDIT_VIEW}), Scope.ALL),
    RoleSpec("archivist", "档案管理员", "archivist", frozenset({
        P.SEARCH, P.PAGES_VIEW, P.DOSSIERS_VIEW, P.CUSTOMERS_VIEW, P.SENSITIVE_REVEAL, P.REVIEW_VIEW,
        P.REVIEW_DECIDE, P.REPORTS_VIEW, P.INTAKE_VIEW,
    }), Scope.ALL),
    RoleSpec("clerk", "业务录入员", "clerk", frozenset({P.INTAKE_UPLOAD, P.INTAKE_VIEW, P.CUSTOMERS_VIEW}), Scope.ALL),
    RoleSpec("enquiry", "业务查询员", "enquiry staff", frozenset({
        P.SEARCH, P.PAGES_VIEW, P.DOSSIERS_VIEW, P.CUSTOMERS_VIEW,
    }), Scope.DEPARTMENT),
    RoleSpec("manager", "高级管理人员", "senior manager", frozenset({
        P.SEARCH, P.PAGES_VIEW, P.DOSSIERS_VIEW, P.CUSTOMERS_VIEW, P.REPORTS_VIEW,
    }), Scope.ALL),
)


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is acting and what they may do: built from the database at each request, never trusted from a client."""

    user_id: int
    username: str
    display_name: str
    department: str | None
    salesperson: str | None
    roles: tuple[str, ...]
    grants: dict[Permission, Scope] = field(default_factory=dict)
    must_change_password: bool = False

    @property
    def actor(self) -> str:
        """The audit actor: `user:<username>`."""
        return f"user:{self.username}"

    def can(self, permission: Permission) -> bool:
        return permission in self.grants

    def scope(self, permission: Permission) -> Scope | None:
        return self.grants.get(permission)

    def reaches(self, permission: Permission, *, department: str | None, salesperson: str | None) -> bool:
        """Whether `permission` covers an object of this department and salesperson."""
        scope = self.grants.get(permission)
        if scope is None:
            return False
        if scope == Scope.ALL:
            return True
        if scope == Scope.DEPARTMENT:
            return bool(self.department) and department == self.department
        return bool(self.salesperson) and salesperson == self.salesperson


def grants_of(roles: list[tuple[list[str], str]]) -> dict[Permission, Scope]:
    """The union of roles given as (permission names, scope): each permission with its widest scope."""
    out: dict[Permission, Scope] = {}
    for names, scope_name in roles:
        scope = Scope(scope_name)
        for name in names:
            try:
                perm = Permission(name)
            except ValueError:
                continue  # a permission removed from the code grants nothing
            out[perm] = wider(out.get(perm), scope) or scope
    return out
