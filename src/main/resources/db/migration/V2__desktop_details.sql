-- What the Workspace desktop read calls show besides name and status.
ALTER TABLE desktops ADD COLUMN ip_addresses VARCHAR(1024) DEFAULT '[]' NOT NULL;
ALTER TABLE desktops ADD COLUMN metadata VARCHAR(4000) DEFAULT '{}' NOT NULL;
