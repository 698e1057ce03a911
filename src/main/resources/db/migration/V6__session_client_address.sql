-- The client's address of each live console (behind trusted proxies: the address they forwarded).
ALTER TABLE console_sessions ADD COLUMN client_address VARCHAR(64);
