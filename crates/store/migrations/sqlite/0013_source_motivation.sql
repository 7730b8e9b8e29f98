-- A source's declared motivation (product.md, "The cycle, as records"): ideology, money,
-- recognition, conscience or other, recorded as context for validation. A category, not
-- identifying, so a plain column; NULL is "not recorded" (every source before this migration).
-- What the source can reach (its access) is identifying and lives in the encrypted identity
-- envelope (`true_identity`), not here. There is no column for coercion or leverage.
ALTER TABLE sources ADD COLUMN motivation TEXT;
