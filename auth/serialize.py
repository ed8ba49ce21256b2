"""How a member appears in JSON (the API, exports): handle and display name, nothing else."""

from __future__ import annotations

from auth.models import User


def user_json(user: User | None) -> dict | None:
    if user is None:
        return None
    return {"handle": user.handle, "display_name": user.display_name}
