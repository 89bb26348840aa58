import ArgumentParser
import PerceptCore
import PerceptPipeline

/// `percept list [NAME]`: what Percept knows by name, and each one's options.
struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List features, transforms, augmentation stages, layers, losses, optimizers and schedules, or show one's options."
    )

    @Argument(help: "A name to describe (e.g. mfcc, random_crop, conv2d, adam), or a kind: features, transforms, stages, layers, losses, optimizers, schedules.")
    var name: String?

    @Flag(help: "Print the whole catalogue as Markdown (docs/reference.md).")
    var markdown = false

    func run() throws {
        if markdown { print(Catalog.markdown); return }
        guard let name else { print(Catalog.listing()); return }
        // A component's own name wins over a kind's singular (`schedule` is both).
        if let found = try? Catalog.lookup(name) { print(found.map(Catalog.describe).joined(separator: "\n\n")); return }
        if let kind = Catalog.Kind(named: name) { print(Catalog.listing(kind: kind)); return }
        print(try Catalog.lookup(name).map(Catalog.describe).joined(separator: "\n\n"))
    }
}
