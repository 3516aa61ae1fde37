#!/usr/bin/env python3
"""Checks the PlatformIO manifest library.json and that every version number agrees.

    python3 tests/package/check_library_json.py [repository root]

Python 3 standard library only. Fails (exit status 1, one line per problem) unless
  * library.json is valid JSON with the fields PlatformIO needs: name, version (major.minor.patch),
    description, keywords, license, frameworks, platforms, build.includeDir;
  * build.includeDir and build.srcDir exist and hold microprop/microprop.hpp (the include path a
    PlatformIO project gets), each listed header exists there, each exported path exists, and
    build.srcFilter excludes every source (the library is header-only: nothing to compile);
  * the version equals CMake's project(VERSION), include/microprop/version.hpp's
    MICROPROP_VERSION_STRING and MAJOR/MINOR/PATCH, the first version heading of CHANGELOG.md
    and the version README.md states.
"""

import json
import os
import re
import sys

REQUIRED = ("name", "version", "description", "keywords", "license", "frameworks", "platforms", "build")


def check(root):
    problems = []

    def read(relative):
        path = os.path.join(root, relative)
        if not os.path.isfile(path):
            problems.append("%s is missing" % relative)
            return ""
        with open(path, encoding="utf-8") as f:
            return f.read()

    text = read("library.json")
    try:
        manifest = json.loads(text) if text else {}
    except json.JSONDecodeError as error:
        return ["library.json is not valid JSON: %s" % error]
    for field in REQUIRED:
        if field not in manifest:
            problems.append("library.json lacks the field '%s'" % field)
    if manifest.get("name") not in (None, "microprop"):
        problems.append("library.json name is '%s', not microprop" % manifest.get("name"))
    version = manifest.get("version", "")
    if not re.fullmatch(r"\d+\.\d+\.\d+", str(version)):
        problems.append("library.json version '%s' is not major.minor.patch" % version)

    build = manifest.get("build", {})
    include_dir = build.get("includeDir")
    if not include_dir:
        problems.append("library.json build.includeDir is not set")
    for key in ("includeDir", "srcDir"):
        directory = build.get(key)
        if directory is None:
            continue
        if not os.path.isdir(os.path.join(root, directory)):
            problems.append("library.json build.%s '%s' is not a directory" % (key, directory))
        elif not os.path.isfile(os.path.join(root, directory, "microprop", "microprop.hpp")):
            problems.append("library.json build.%s '%s' does not hold microprop/microprop.hpp" % (key, directory))
    source_filter = build.get("srcFilter", [])
    if isinstance(source_filter, str):
        source_filter = source_filter.split()
    if "-<*>" not in source_filter:
        problems.append("library.json build.srcFilter does not exclude every source ('-<*>'): "
                        "PlatformIO would compile tests/ and examples/")
    for header in manifest.get("headers", []):
        if include_dir and not os.path.isfile(os.path.join(root, include_dir, header)):
            problems.append("library.json header '%s' is not in %s/" % (header, include_dir))
    for path in manifest.get("export", {}).get("include", []):
        if not os.path.exists(os.path.join(root, path)):
            problems.append("library.json exports '%s', which does not exist" % path)

    versions = {"library.json": version}
    cmake = re.search(r"project\(microprop\s+VERSION\s+(\d+\.\d+\.\d+)", read("CMakeLists.txt"))
    versions["CMakeLists.txt project()"] = cmake.group(1) if cmake else None
    header = read("include/microprop/version.hpp")
    string = re.search(r'#define MICROPROP_VERSION_STRING "([^"]+)"', header)
    versions["version.hpp MICROPROP_VERSION_STRING"] = string.group(1) if string else None
    parts = [re.search(r"#define MICROPROP_VERSION_%s (\d+)" % p, header) for p in ("MAJOR", "MINOR", "PATCH")]
    versions["version.hpp MAJOR.MINOR.PATCH"] = ".".join(m.group(1) for m in parts) if all(parts) else None
    changelog = re.search(r"^## \[?(\d+\.\d+\.\d+)", read("CHANGELOG.md"), re.MULTILINE)
    versions["CHANGELOG.md first entry"] = changelog.group(1) if changelog else None
    readme = re.search(r"[Vv]ersion \**(\d+\.\d+\.\d+)", read("README.md"))
    versions["README.md"] = readme.group(1) if readme else None
    for where, found in versions.items():
        if found != version:
            problems.append("%s says %s, library.json %s" % (where, found or "no version", version))
    return problems


def main(argv):
    root = argv[0] if argv else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    problems = check(os.path.normpath(root))
    for problem in problems:
        print("check_library_json: " + problem)
    if problems:
        return 1
    print("check_library_json: library.json valid, paths exist, version %s everywhere"
          % json.load(open(os.path.join(root, "library.json")))["version"])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
