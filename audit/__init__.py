"""The audit log: who did what to which target, and why. Append-only. Used by moderation and
by the admin pages of every package."""
