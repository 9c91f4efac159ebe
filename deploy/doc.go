// Package deploy holds the files that put CareCircle on servers: the nginx
// configuration and systemd unit beside this file, with the Dockerfile and
// compose.yaml at the repository's root (docs/deploy.md). It has no code;
// its tests check that those files agree with each other and with the
// server's flags, since no Docker engine runs in CI.
package deploy
