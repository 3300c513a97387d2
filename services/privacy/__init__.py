"""A person's rights under the PDPA: everything FieldLine holds about one LINE user, exported or erased.

No Flask here: every function takes a session and never commits (the admin web, the CLI and the
retention job commit and audit). Files under MEDIA_DIR are deleted only after the commit, by
``files.sweep_removed_files``: an erasure marks the media ``removed``, and the sweep deletes their files
unless another record still uses the same file (files are named by checksum).

The modules: ``person`` (finding the person, their pseudonym), ``holdings`` (every row held about them),
``export`` (the JSON document and the ZIP), ``erasure`` (what an erasure blanks and what it keeps),
``files`` (the files on disk) and ``retention`` (what is removed once its period is over).
"""
