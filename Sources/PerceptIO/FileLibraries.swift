import CSndFile
import CZlib

/// Versions of the file libraries this build runs on, for run reports.
///
///     print(FileLibraries.versions)   // ["libsndfile": "libsndfile-1.2.0", "zlib": "1.2.13"]
public enum FileLibraries {
    public static var versions: [String: String] {
        ["libsndfile": String(cString: sf_version_string()), "zlib": String(cString: zlibVersion())]
    }
}
