#pragma once

// Each test class of the storage suite lives in its own file and is run from tst_storage.cpp's main().
int runPieceLayoutTests(int argc, char** argv);
int runTorrentStorageTests(int argc, char** argv);
int runStorageSafetyTests(int argc, char** argv);
int runResumeDataTests(int argc, char** argv);

// The child half of the file-size-limit test: sets RLIMIT_FSIZE, then opens or writes a storage in dir and
// prints the resulting status. Returns the process exit code.
int runSizeLimitedChild(int argc, char** argv);
