"""Sign-in, accounts and role rights (nothing here imports streamlit; the app's gate is app_pages/signin.py)."""

from graphbench.auth.permissions import ACTIONS, PERMISSIONS, ROLES, NotAllowed, allowed, require

__all__ = ["ACTIONS", "PERMISSIONS", "ROLES", "NotAllowed", "allowed", "require"]
