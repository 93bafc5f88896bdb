"""Database access: schemas, ovsdb-server launcher, IDL wrapper."""
