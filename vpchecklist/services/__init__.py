"""The verbs of the product. Each takes a ``Store`` and an authenticated ``Actor``, runs in one
transaction and appends one audit event; refusals are audited too."""

from vpchecklist.services.actors import Actor
from vpchecklist.services.roles import ROLES, allowed

__all__ = ["ROLES", "Actor", "allowed"]
