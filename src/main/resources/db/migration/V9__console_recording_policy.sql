-- Console recording policy of a desktop and of a project (NULL: the project's, then the config's):
-- off | on | required.
ALTER TABLE desktops ADD COLUMN console_recording VARCHAR(16);
ALTER TABLE project_console_policies ADD COLUMN recording VARCHAR(16);
