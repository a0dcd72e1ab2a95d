-- "Sign in faster and more safely with a passkey": until when "Not now"
-- keeps the offer hidden (Unix seconds; NULL: never dismissed).
ALTER TABLE users ADD COLUMN passkey_offer_hidden_until INTEGER;
