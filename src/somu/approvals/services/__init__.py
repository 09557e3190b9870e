"""The approvals module's writes, split by subdomain: request types, the 決裁権限規程,
requests (drafts, submission, recall, attachments), decisions, delegations."""
