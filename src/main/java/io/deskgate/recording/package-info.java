/**
 * Console recordings: the desktop's stream and the browser's input of a console, written as it passes
 * to an encrypted file of a documented format (docs/recording.md), off the event loops, never making
 * the console wait.
 */
package io.deskgate.recording;
