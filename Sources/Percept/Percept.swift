// `import Percept` brings in every public module, so library users need one import:
//
//     import Percept
//     let y = try AudioFile.read("a.wav").mono()
@_exported import PerceptAudio
@_exported import PerceptAugment
@_exported import PerceptCore
@_exported import PerceptIO
@_exported import PerceptNN
@_exported import PerceptPipeline
@_exported import PerceptPlot
@_exported import PerceptVision
@_exported import PerceptMPI
