-- The methods a company's members may use, as bits: 1 the authenticator
-- app, 2 text messages, 4 passkeys (all of them until an admin chooses).
ALTER TABLE company_settings ADD COLUMN allowed_methods BIGINT NOT NULL DEFAULT 7;
