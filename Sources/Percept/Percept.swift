// `import Percept` brings in every public module, so library users need one import:
//
//     import Percept
//     let y = try AudioFile.read("a.wav").mono()
@_exported import PerceptCore
@_exported import PerceptIO
@_exported import PerceptPipeline
