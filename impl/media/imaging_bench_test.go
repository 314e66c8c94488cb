package media

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"testing"
)

// photo4000x3000 is a 12-megapixel JPEG with detail in it (a flat image
// would decode unrealistically fast).
func photo4000x3000(b *testing.B) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 4000, 3000))
	for y := range 3000 {
		for x := range 4000 {
			img.SetRGBA(x, y, color.RGBA{uint8(x ^ y), uint8(x * y >> 8), uint8(x + 2*y), 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// BenchmarkThumbnailJPEG4000x3000 is the CPU cost of thumbnailing a
// 12-megapixel photo: the upload job (decode once, then the five
// configured sizes, encoded) and one on-demand size (decode, scale,
// encode). Storage and SQL are not included.
func BenchmarkThumbnailJPEG4000x3000(b *testing.B) {
	data := photo4000x3000(b)
	cfg := DefaultConfig().Thumbnails
	run := func(b *testing.B, boxes []box) {
		b.ReportAllocs()
		for b.Loop() {
			src, err := decode(bytes.NewReader(data), cfg.MaxSourcePixels, false)
			if err != nil {
				b.Fatal(err)
			}
			rgba := toRGBA(src.img)
			for _, bx := range boxes {
				p := planFor(src.w, src.h, bx)
				if _, _, err := encodeStill(render(rgba, p), src.format, cfg.JPEGQuality); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	b.Run("decode only", func(b *testing.B) {
		for b.Loop() {
			if _, err := decode(bytes.NewReader(data), cfg.MaxSourcePixels, false); err != nil {
				b.Fatal(err)
			}
		}
	})
	var all []box
	for _, s := range cfg.Sizes {
		all = append(all, box{s.Width, s.Height, s.Method})
	}
	b.Run("five configured sizes", func(b *testing.B) { run(b, all) })
	b.Run("one size 800x600 scale", func(b *testing.B) { run(b, []box{{800, 600, MethodScale}}) })
}
