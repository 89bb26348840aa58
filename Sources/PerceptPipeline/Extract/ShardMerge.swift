import Foundation
import PerceptCore
import PerceptIO

/// The end of a sharded folder run (`percept merge OUT_DIR`): checks that every shard finished
/// and that the shards belong together, that each input was done by exactly the shard it falls
/// to, and that each output on disk is the one its shard wrote; then removes the manifests, so
/// the tree is what one unsharded run writes. Every problem is one line, and the shards to rerun
/// are named (`--shard 2/8 --shard 5/8`).
///
///     let done = try ShardMerge.merge(outputDir: "out")   // done.summary.ok, done.failures
public enum ShardMerge {
    /// What a merge found when the shard set is complete and consistent.
    public struct Outcome: Sendable {
        public var feature: String
        public var count: Int
        /// Counts as one unsharded run reports them; `note` says when killed writers' temporary files went.
        public var summary: ExtractRunner.Summary
        /// What the feature reads (`audio`), for the summary line.
        public var noun: String
        /// Outputs whose bytes were checked against their manifests.
        public var checked: Int
        /// The failed inputs' errors, one line each, in input order.
        public var failures: [String]
        /// Shards with failed inputs: rerun them once the inputs are fixed. The manifests are kept
        /// when there are any, so such a rerun can be merged.
        public var failedShards: [Int]
    }

    /// Checks the shard set under `outputDir` and, when it is complete, consistent and free of
    /// failed files, removes `outputDir/.percept-shards`. Problems are thrown, one error per line
    /// (at most `listed` lines of each kind), all bad input (exit 2).
    public static func merge(outputDir: String, listed: Int = 20) throws -> Outcome {
        let out = ExtractRunner.trimmed(outputDir)
        let folder = out + "/" + ShardManifest.folder
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDir), isDir.boolValue else {
            throw PerceptError.badInput(file: out, "holds no \(ShardManifest.folder) folder: not the output of 'percept extract --shard', or merged already")
        }
        // A pipeline's cache shards keep their manifests one folder down, per pipeline.
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        let pipelines = names.filter { var d: ObjCBool = false; return FileManager.default.fileExists(atPath: folder + "/" + $0, isDirectory: &d) && d.boolValue }
        if !pipelines.isEmpty, !names.contains(where: { $0.hasPrefix("shard-") }) {
            throw PerceptError.badInput(file: out, "holds the cache shards of pipeline \(pipelines.sorted().joined(separator: ", ")): merge them with 'percept run PIPELINE.yaml --merge'")
        }
        let group = try checkSet(folder: folder, outputs: out, listed: listed)
        let ref = group[0], n = ref.count
        let checked = group.reduce(0) { $0 + $1.files.count { $0.output != nil } }

        let entries = group.flatMap(\.files).sorted { $0.input.utf8.lexicographicallyPrecedes($1.input.utf8) }
        let failures = entries.compactMap(\.error)
        let failedShards = group.filter { $0.failed > 0 }.map(\.index).sorted()
        var summary = ExtractRunner.Summary(ok: entries.count - failures.count, failed: failures.count, skipped: ref.skipped)
        // Every shard is done, so a temporary file left in the tree is a killed writer's.
        summary.note = TemporaryFiles.note(removed: TemporaryFiles.removeLeftovers(under: out), in: out)
        if failures.isEmpty {
            do { try FileManager.default.removeItem(atPath: folder) } catch {
                throw PerceptError.runtime("\(folder): cannot remove (\((error as NSError).localizedDescription))")
            }
        }
        let noun = (try? FeatureRegistry.feature(named: ref.feature))?.inputKind.noun ?? "read by \(ref.feature)"
        return Outcome(feature: ref.feature, count: n, summary: summary, noun: noun, checked: checked,
                       failures: failures, failedShards: failedShards)
    }

    /// Checks the shard set whose manifests are in `folder` and whose outputs are named relative
    /// to `out`; returns the complete, consistent group, or throws every problem (one line each,
    /// the last naming the shards to rerun). `expected(n)`, when given, is what shard i of n must
    /// agree with (a pipeline file as it is now, for its cache shards); without it the largest
    /// agreeing group is the reference. `sharedOutputs`: several inputs may name one output when
    /// they recorded the same bytes (two identical files share one cache entry).
    static func checkSet(folder: String, outputs out: String, expected: ((Int) -> ShardManifest)? = nil,
                         sharedOutputs: Bool = false, listed: Int) throws -> [ShardManifest] {
        let problems = Diagnostics()
        let manifests = readManifests(in: folder, problems: problems)
        let candidates = expected.map { e in manifests.filter { difference($0.manifest, e($0.manifest.count)) == nil } } ?? manifests
        let reference = referenceGroup(candidates) ?? []
        let ref = reference.first?.manifest
        var rerun = Set<Int>()
        for (path, m) in manifests where !reference.contains(where: { $0.path == path }) {
            let why = expected.flatMap { difference(m, $0(m.count), others: "the pipeline file") } ?? ref.flatMap { difference(m, $0) } ?? "another run"
            if let ref, m.count == ref.count {
                let how = expected == nil ? " with the others' settings" : ""
                problems.record(.badInput(file: path, "from another run: \(why); rerun shard \(m.index)/\(ref.count)\(how)"))
                rerun.insert(m.index)
            } else {
                problems.record(.badInput(file: path, "from another run: \(why); remove it"))
            }
        }
        guard let ref else {
            if !manifests.isEmpty {
                problems.record(.badInput(file: folder, "no shard is of the pipeline as it is now: remove the folder and run the shards again"))
            }
            try problems.throwIfAny()
            throw PerceptError.badInput(file: folder, "holds no shard manifests (shard-IIII-of-NNNN.json)")
        }
        let n = ref.count
        // Shards with no manifest of this count at all; a stray one of this count is reported above.
        let have = Set(manifests.filter { $0.manifest.count == n }.map(\.manifest.index))
        let missing = (0..<n).filter { !have.contains($0) }
        if !missing.isEmpty {
            problems.record(.badInput(file: out, "no manifest\(missing.count == 1 ? " from shard" : "s from shards") \(list(missing, listed)) (\(missing.count) of \(n) not finished)"))
            rerun.formUnion(missing)
        }
        let group = reference.map(\.manifest)
        // Only a whole set can be checked against the list it was cut from.
        if group.count == n { checkInputs(group, problems: problems, listed: listed, folder: folder) }
        checkOutputs(group, in: out, shared: sharedOutputs, problems: problems, rerun: &rerun, listed: listed)
        if !rerun.isEmpty {
            let shards = rerun.sorted(), shown = 100
            let more = shards.count > shown ? " … and \(shards.count - shown) more" : ""
            problems.record(.badInput(file: out, "rerun only these, then merge again: " + shards.prefix(shown).map { "--shard \($0)/\(n)" }.joined(separator: " ") + more))
        }
        try problems.throwIfAny()
        return group
    }

    /// The manifests in `folder` (files named shard-*.json), by path; unreadable ones are problems.
    static func readManifests(in folder: String, problems: Diagnostics) -> [(path: String, manifest: ShardManifest)] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { $0.hasPrefix("shard-") && $0.hasSuffix(".json") }.sorted()
        return names.compactMap { name in
            let path = folder + "/" + name
            guard let m = problems.check({ try ShardManifest.read(from: path) }) else { return nil }
            guard name == ShardManifest.fileName(index: m.index, count: m.count) else {
                problems.record(.badInput(file: path, "holds shard \(m.index) of \(m.count), which is not what its name says"))
                return nil
            }
            return (path, m)
        }
    }

    /// The manifests that agree on everything a shard set must share (feature and options,
    /// version, shard count, input list), taking the largest such group (the first on a tie):
    /// the others are reported as strays.
    static func referenceGroup(_ manifests: [(path: String, manifest: ShardManifest)]) -> [(path: String, manifest: ShardManifest)]? {
        var groups = [[(path: String, manifest: ShardManifest)]]()
        for item in manifests {
            if let g = groups.firstIndex(where: { difference(item.manifest, $0[0].manifest) == nil }) {
                groups[g].append(item)
            } else {
                groups.append([item])
            }
        }
        return groups.enumerated().max { ($0.element.count, -$0.offset) < ($1.element.count, -$1.offset) }?.element
    }

    /// How manifest `m` differs from `ref` in what a shard set must share, or nil when it does not.
    static func difference(_ m: ShardManifest, _ ref: ShardManifest, others: String = "the others") -> String? {
        if m.count != ref.count { return "one of \(m.count) shards, \(others) of \(ref.count)" }
        if m.feature != ref.feature { return "feature \(m.feature), \(others) \(ref.feature)" }
        if m.config != ref.config {
            let keys = Set(m.options.keys).union(ref.options.keys).sorted().filter { m.options[$0] != ref.options[$0] }
            let shown = keys.prefix(3).map { "\(m.optionLabel($0)) \(m.options[$0] ?? "unset") (\(others) \(ref.options[$0] ?? "unset"))" }
            return "options differ: " + shown.joined(separator: ", ") + (keys.count > 3 ? ", …" : "")
        }
        if m.version != ref.version { return "percept \(m.version), \(others) \(ref.version)" }
        if m.inputsSHA256 != ref.inputsSHA256 || m.inputs != ref.inputs {
            return "cut from another input list (\(m.inputs) inputs, \(others) \(ref.inputs), or the same number with other names)"
        }
        return nil
    }

    /// With every shard present: each input is in exactly one shard, the one its place in the
    /// byte-ordered list gives, and together they are the list the shards were cut from.
    static func checkInputs(_ group: [ShardManifest], problems: Diagnostics, listed: Int, folder: String) {
        let ref = group[0]
        let all = group.flatMap { m in m.files.map { (input: $0.input, shard: m.index) } }
            .sorted { $0.input.utf8.lexicographicallyPrecedes($1.input.utf8) }
        var lines = [String]()
        for k in all.indices.dropFirst() where all[k].input == all[k - 1].input {
            lines.append("\(all[k].input) is in shards \(all[k - 1].shard) and \(all[k].shard)")
        }
        if lines.isEmpty {
            for (k, item) in all.enumerated() where ShardSpec.owner(of: k, count: ref.count) != item.shard {
                lines.append("\(item.input) is in shard \(item.shard), but its place in the list gives it to shard \(ShardSpec.owner(of: k, count: ref.count))")
            }
        }
        if lines.isEmpty && (all.count != ref.inputs || ShardSpec.fingerprint(all.map(\.input)) != ref.inputsSHA256) {
            lines.append("the shards list \(all.count) inputs, not the \(ref.inputs) they were cut from (or other names): a manifest was edited or mixed")
        }
        for line in capped(lines, listed, "more misplaced inputs") { problems.record(.badInput(file: folder, line)) }
    }

    /// Hashes every output the manifests name (in parallel, each file once), recording one problem
    /// per missing or changed file and its shard in `rerun`. With `shared`, inputs may name one
    /// output when they recorded the same bytes; otherwise two inputs naming one is a problem.
    static func checkOutputs(_ group: [ShardManifest], in out: String, shared: Bool = false, problems: Diagnostics,
                             rerun: inout Set<Int>, listed: Int) {
        let named = group.flatMap { m in m.files.compactMap { e in e.output.map { (output: $0, sha256: e.sha256 ?? "", shard: m.index) } } }
        var lines = [(String, String)](), seen = [String: (shard: Int, sha256: String)]()
        var items = [(output: String, sha256: String, shard: Int)]()
        for item in named {
            if !isSafeRelative(item.output) {
                lines.append((out, "shard \(item.shard)'s manifest names the output '\(item.output)', which is not a path inside the folder"))
                rerun.insert(item.shard)
            } else if let other = seen[item.output] {
                if !shared {
                    lines.append((out + "/" + item.output, "the output of shards \(other.shard) and \(item.shard) both"))
                } else if other.sha256 != item.sha256 {
                    lines.append((out + "/" + item.output, "shards \(other.shard) and \(item.shard) recorded other bytes for it"))
                    rerun.formUnion([other.shard, item.shard])
                }
            } else {
                seen[item.output] = (item.shard, item.sha256)
                items.append(item)
            }
        }
        let found = UnsafeMutableBufferPointer<String?>.allocate(capacity: items.count)
        found.initialize(repeating: nil)
        defer { found.deallocate() }
        let box = UnsafeSendable(found)
        Parallel.forEachDynamic(count: items.count, state: { () }) { _, i in
            box.value[i] = status(of: out + "/" + items[i].output, sha256: items[i].sha256)
        }
        for (i, item) in items.enumerated() {
            guard let why = found[i] else { continue }
            lines.append((out + "/" + item.output, "\(why) since shard \(item.shard)/\(group[0].count) wrote it"))
            rerun.insert(item.shard)
        }
        let shown = lines.count <= listed ? lines : Array(lines.prefix(listed)) + [(out, "… and \(lines.count - listed) more outputs missing or changed")]
        for (file, line) in shown { problems.record(.badInput(file: file, line)) }
    }

    /// nil when the file at `path` has these bytes, else what is wrong: `missing`, `changed`, `unreadable (…)`.
    private static func status(of path: String, sha256: String) -> String? {
        var st = stat()
        guard lstat(path, &st) == 0 else { return "missing" }
        do { return try SHA256.hex(file: path) == sha256 ? nil : "changed" } catch {
            return "unreadable (\((error as? PerceptError)?.message ?? "\(error)"))"
        }
    }

    /// A relative path that stays inside its folder: no leading "/", no "." or ".." parts.
    static func isSafeRelative(_ p: String) -> Bool {
        !p.isEmpty && !p.hasPrefix("/") && p.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { !$0.isEmpty && $0 != "." && $0 != ".." }
    }

    /// The first `n` of `lines`, then one line counting the rest.
    private static func capped(_ lines: [String], _ n: Int, _ what: String) -> [String] {
        lines.count <= n ? lines : Array(lines.prefix(n)) + ["… and \(lines.count - n) \(what)"]
    }

    /// `2, 5` (at most `n` numbers, then how many more).
    private static func list(_ xs: [Int], _ n: Int) -> String {
        xs.prefix(n).map(String.init).joined(separator: ", ") + (xs.count > n ? " and \(xs.count - n) more" : "")
    }
}
