"""The approvals pages, by subdomain."""
