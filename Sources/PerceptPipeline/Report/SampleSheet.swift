import PerceptCore
import PerceptPlot

/// Model inputs with their true and predicted class, as one captioned picture (TensorBoard's
/// `test_samples` image): the lectures' "look at what the network gets wrong".
///
///     let sheet = try SampleSheet.captioned(tiles, captions: ["true 3 / predicted 5"], wrong: [true])
enum SampleSheet {
    /// Tiles (already enlarged, as `ModelPictures.tile` makes them) in rows of up to 8, each
    /// captioned; a wrong prediction's caption is marked "✗".
    static func captioned(_ tiles: [Tensor], captions: [String], wrong: [Bool]) throws -> Tensor {
        let items = tiles.indices.map { i in Tile(tiles[i], caption: (wrong[i] ? "✗ " : "") + captions[i]) }
        return try PanelGrid.render(items, columns: Swift.min(8, items.count), minTileHeight: 1)
    }
}
