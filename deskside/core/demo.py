"""The demo tenant: a few dozen people in offices and departments, an administrator, a help desk
operator and a read-only auditor, each with a role assignment. Idempotent: running it again changes
nothing but missing pieces. Everything goes through the parts' services, as a real set-up would.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from deskside.access.choices import ScopeKind
from deskside.access.models import Role, RoleAssignment
from deskside.access.services import role_assignment_create
from deskside.core.provisioning import administrator_provision
from deskside.directory.models import Group, Tenant, User
from deskside.directory.services import group_create, group_member_add, user_create

TENANT = "Lakeside Logistics"
DOMAIN = "lakeside.example"

OFFICES = ("Amsterdam office", "Lyon office", "Chicago office")
DEPARTMENTS = ("Sales", "Finance", "Engineering", "Warehouse", "Human resources", "IT")

# (given name, surname, job title, office, department)
PEOPLE = [
    ("Sanne", "de Vries", "Account manager", 0, 0),
    ("Daan", "Jansen", "Sales representative", 0, 0),
    ("Emma", "Bakker", "Financial controller", 0, 1),
    ("Lucas", "Visser", "Software engineer", 0, 2),
    ("Julia", "Smit", "Software engineer", 0, 2),
    ("Thijs", "Meijer", "Warehouse lead", 0, 3),
    ("Fleur", "de Boer", "HR advisor", 0, 4),
    ("Bram", "Mulder", "Systems engineer", 0, 5),
    ("Lotte", "de Groot", "Accounts payable clerk", 0, 1),
    ("Sem", "Bos", "Forklift operator", 0, 3),
    ("Camille", "Martin", "Key account manager", 1, 0),
    ("Hugo", "Bernard", "Sales assistant", 1, 0),
    ("Léa", "Dubois", "Payroll specialist", 1, 1),
    ("Louis", "Thomas", "Data engineer", 1, 2),
    ("Chloé", "Robert", "QA engineer", 1, 2),
    ("Gabriel", "Richard", "Logistics coordinator", 1, 3),
    ("Manon", "Petit", "Recruiter", 1, 4),
    ("Jules", "Durand", "Network engineer", 1, 5),
    ("Inès", "Leroy", "Treasury analyst", 1, 1),
    ("Arthur", "Moreau", "Picker", 1, 3),
    ("Olivia", "Johnson", "Regional sales director", 2, 0),
    ("Liam", "Williams", "Inside sales", 2, 0),
    ("Ava", "Brown", "Chief financial officer", 2, 1),
    ("Noah", "Jones", "Engineering manager", 2, 2),
    ("Mia", "Garcia", "Frontend engineer", 2, 2),
    ("Ethan", "Miller", "Shift supervisor", 2, 3),
    ("Sophia", "Davis", "HR business partner", 2, 4),
    ("Mason", "Rodriguez", "IT manager", 2, 5),
    ("Isabella", "Martinez", "Accountant", 2, 1),
    ("James", "Wilson", "Dock worker", 2, 3),
    ("Charlotte", "Anderson", "Benefits coordinator", 2, 4),
    ("Benjamin", "Taylor", "Site reliability engineer", 2, 2),
]


@dataclass(frozen=True)
class DemoAccount:
    email: str
    role: str
    password: str


def _credentials_file() -> Path:
    from django.conf import settings

    return Path(settings.DATA_DIR) / "demo-accounts.json"


def _passwords() -> tuple[dict[str, str], bool]:
    """The demo accounts' passwords: made once at random, kept readable only by their owner."""
    path = _credentials_file()
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8")), False
    made = {
        key: "-".join(secrets.token_urlsafe(6) for _ in range(3))
        for key in ("admin", "helpdesk", "auditor")
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(made, handle)
    return made, True


def _group(tenant: Tenant, name: str, description: str = "") -> Group:
    existing = Group.objects.filter(tenant=tenant, display_name=name).first()
    return existing or group_create(
        tenant=tenant, display_name=name, description=description, actor=None
    )


def _member(group: Group, member: User | Group) -> None:
    if isinstance(member, User):
        present = group.user_memberships.filter(user=member).exists()
    else:
        present = group.child_links.filter(child=member).exists()
    if not present:
        group_member_add(group=group, member=member, actor=None)


def _person(tenant: Tenant, email: str, given: str, surname: str, **fields: object) -> User:
    existing = User.objects.filter(email=email).first()
    return existing or user_create(
        tenant=tenant,
        email=email,
        display_name=f"{given} {surname}",
        given_name=given,
        surname=surname,
        actor=None,
        **fields,  # type: ignore[arg-type]
    )


def _assignment(tenant: Tenant, name: str, role_key: str, members: Group, **scope: object) -> None:
    if RoleAssignment.objects.filter(tenant=tenant, name=name).exists():
        return
    role_assignment_create(
        tenant=tenant,
        name=name,
        role=Role.objects.get(builtin_key=role_key),
        member_groups=[members],
        actor=None,
        **scope,  # type: ignore[arg-type]
    )


def _email(given: str, surname: str) -> str:
    local = f"{given}.{surname}".lower().replace(" ", "")
    for accented, plain in (("é", "e"), ("è", "e"), ("ï", "i"), ("ë", "e")):
        local = local.replace(accented, plain)
    return f"{local}@{DOMAIN}"


@transaction.atomic
def demo_seed() -> list[DemoAccount]:
    """Create what is missing of the demo tenant; return the sign-in accounts."""
    passwords, fresh = _passwords()
    admin = administrator_provision(
        tenant_name=TENANT,
        domain=DOMAIN,
        email=f"admin@{DOMAIN}",
        display_name="Alex Admin",
        password=passwords["admin"],
    )
    tenant = admin.tenant
    all_staff = _group(tenant, "All staff", "Everyone, through the office groups")
    offices = [_group(tenant, name) for name in OFFICES]
    departments = [_group(tenant, name) for name in DEPARTMENTS]
    for office in offices:
        _member(all_staff, office)
    for given, surname, title, office_index, department_index in PEOPLE:
        user = _person(tenant, _email(given, surname), given, surname, job_title=title)
        _member(offices[office_index], user)
        _member(departments[department_index], user)
    contractor = _person(
        tenant,
        f"contractor@{DOMAIN}",
        "Casey",
        "Contractor",
        job_title="External consultant",
        has_license=False,
    )
    _member(offices[0], contractor)

    helpdesk_group = _group(tenant, "Help desk", "Tier-1 support for the European offices")
    auditors = _group(tenant, "Auditors", "Read-only access for the yearly audit")
    helpdesk = _person(
        tenant, f"helpdesk@{DOMAIN}", "Harper", "Helpdesk", job_title="Service desk agent"
    )
    auditor = _person(tenant, f"auditor@{DOMAIN}", "Avery", "Auditor", job_title="IT auditor")
    _member(helpdesk_group, helpdesk)
    _member(departments[5], helpdesk)
    _member(offices[0], helpdesk)
    _member(auditors, auditor)
    _assignment(
        tenant,
        "Help desk Europe",
        "helpDeskOperator",
        helpdesk_group,
        description="Amsterdam and Lyon offices",
        scope_kind=ScopeKind.GROUPS,
        scope_groups=offices[:2],
    )
    _assignment(tenant, "Auditors", "readOnlyOperator", auditors, scope_kind=ScopeKind.ALL_USERS)
    accounts = [(admin, "admin", "Administrator"), (helpdesk, "helpdesk", "Help Desk Operator")]
    accounts.append((auditor, "auditor", "Read Only Operator"))
    for user, key, _role in accounts:
        if fresh or not user.has_usable_password():
            user.set_password(passwords[key])
            user.save(update_fields=["password"])
    return [DemoAccount(user.email, role, passwords[key]) for user, key, role in accounts]
