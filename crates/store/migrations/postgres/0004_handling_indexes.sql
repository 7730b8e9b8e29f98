-- Indexes for the handling lists and alerts at station scale (10,000 sources, 1,000,000
-- contacts; docs/benchmarks.md, "Handling API").
--
-- "Sources this officer currently handles" (a handler's `GET /api/v1/sources?mine` and every
-- query of a handler's `GET /api/v1/alerts`) is a correlated EXISTS on (officer, role, source).
-- source_roles_officer (officer_id, role) found the officer's role periods but then read every
-- one of them for each source of the compartment: 2,500 sources × 100 periods per query.
CREATE INDEX source_roles_officer_source ON source_roles(officer_id, role, source_id);
