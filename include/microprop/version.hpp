// The library's version, for programs built without CMake (PlatformIO, Arduino, Zephyr):
// the same number as CMake's project(), library.json and CHANGELOG.md
// (tests/package/check_library_json.py checks that they agree).
#ifndef MICROPROP_VERSION_HPP
#define MICROPROP_VERSION_HPP

/// Major version: incremented for changes that break source compatibility (from 1.0 on).
#define MICROPROP_VERSION_MAJOR 0
/// Minor version: new functionality.
#define MICROPROP_VERSION_MINOR 11
/// Patch version: fixes.
#define MICROPROP_VERSION_PATCH 0
/// The version as text, "major.minor.patch".
#define MICROPROP_VERSION_STRING "0.11.0"
/// The version as one comparable number: major * 10000 + minor * 100 + patch.
#define MICROPROP_VERSION (MICROPROP_VERSION_MAJOR * 10000 + MICROPROP_VERSION_MINOR * 100 + MICROPROP_VERSION_PATCH)

#endif
