import ArgumentParser
import PerceptPipeline

/// `percept schema`: the JSON Schema of pipeline files.
struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the JSON Schema of pipeline files (for editor completion and checks).",
        discussion: "Generated from the parameter specs that `percept validate` checks; Pipelines/schema.json is a copy. In VS Code: add `# yaml-language-server: $schema=schema.json` at the top of a pipeline file."
    )

    @Flag(help: "Print the field reference tables of docs/pipelines.md instead.")
    var markdown = false

    func run() throws { print(markdown ? PipelineSchema.markdownFields() : PipelineSchema.json(), terminator: "") }
}
