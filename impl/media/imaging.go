package media

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/color/palette"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"mime"

	xdraw "golang.org/x/image/draw"
	_ "golang.org/x/image/webp" // registers the WebP decoder with package image
)

// thumbnailable tells whether hearth can make thumbnails of contentType.
func thumbnailable(contentType string) bool {
	mt, _, _ := mime.ParseMediaType(contentType)
	switch mt {
	case "image/jpeg", "image/png", "image/gif", "image/webp":
		return true
	}
	return false
}

// errNotImage is what decoding answers for content it cannot thumbnail.
var errNotImage = errors.New("content is not an image hearth can thumbnail")

// errTooManyPixels is what decoding answers for images past
// ThumbnailConfig.MaxSourcePixels.
var errTooManyPixels = errors.New("image is too large to thumbnail")

// source is a decoded image.
type source struct {
	format string // "jpeg", "png", "gif" or "webp"
	w, h   int
	img    image.Image // the still image (an animation's first frame)
	anim   *gif.GIF    // the whole animation, for animated GIFs only
}

// decode reads an image, refusing more than maxPixels pixels before
// decoding them. Animated GIFs are kept whole when wantAnim is set.
func decode(r io.Reader, maxPixels int64, wantAnim bool) (*source, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(64 << 10)
	cfg, format, err := image.DecodeConfig(bytes.NewReader(head))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errNotImage, err)
	}
	if cfg.Width < 1 || cfg.Height < 1 {
		return nil, errNotImage
	}
	if int64(cfg.Width)*int64(cfg.Height) > maxPixels {
		return nil, errTooManyPixels
	}
	src := &source{format: format, w: cfg.Width, h: cfg.Height}
	if format == "gif" && wantAnim {
		g, err := gif.DecodeAll(br)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", errNotImage, err)
		}
		src.img = g.Image[0]
		if len(g.Image) > 1 {
			src.anim = g
		}
		return src, nil
	}
	img, _, err := image.Decode(br)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errNotImage, err)
	}
	src.img = img
	return src, nil
}

// box is a thumbnail request after choosing: its box and method.
type box struct {
	W, H   int
	Method string
}

// plan is how to make a thumbnail of a w×h image for b: the region of the
// source to take and the size to scale it to, never larger than the
// source (v1.19 client-server, Thumbnails: servers MUST NOT upscale).
type plan struct {
	crop   image.Rectangle
	dw, dh int
}

func planFor(w, h int, b box) plan {
	full := image.Rect(0, 0, w, h)
	if b.Method == MethodScale {
		// Fit inside the box, keeping the aspect ratio.
		r := min(float64(b.W)/float64(w), float64(b.H)/float64(h), 1)
		return plan{crop: full, dw: max(1, int(float64(w)*r+0.5)), dh: max(1, int(float64(h)*r+0.5))}
	}
	// Crop: fill the box, then cut the middle. When the source is smaller
	// than the box, take the largest region of the box's aspect ratio.
	dw, dh := min(b.W, w), min(b.H, h)
	if b.W <= w && b.H <= h {
		dw, dh = b.W, b.H
	} else {
		// Largest b.W:b.H region inside w×h, at the source's scale.
		if w*b.H > h*b.W { // source wider than the box
			dh, dw = h, max(1, h*b.W/b.H)
		} else {
			dw, dh = w, max(1, w*b.H/b.W)
		}
	}
	// The source region with dw:dh's aspect ratio, centred.
	cw, ch := w, h
	if w*dh > h*dw {
		cw = max(1, h*dw/dh)
	} else {
		ch = max(1, w*dh/dw)
	}
	x0, y0 := (w-cw)/2, (h-ch)/2
	return plan{crop: image.Rect(x0, y0, x0+cw, y0+ch), dw: dw, dh: dh}
}

// identity tells whether p leaves the image as it is.
func (p plan) identity(w, h int) bool {
	return p.crop == image.Rect(0, 0, w, h) && p.dw == w && p.dh == h
}

// render scales img per p.
func render(img image.Image, p plan) *image.RGBA {
	src := img
	if sub, ok := img.(interface {
		SubImage(image.Rectangle) image.Image
	}); ok {
		src = sub.SubImage(p.crop.Add(img.Bounds().Min))
	}
	src = shrink(src, p.dw, p.dh)
	if r, ok := src.(*image.RGBA); ok && r.Bounds().Dx() == p.dw && r.Bounds().Dy() == p.dh {
		return r // the box average landed on the size
	}
	dst := image.NewRGBA(image.Rect(0, 0, p.dw, p.dh))
	xdraw.CatmullRom.Scale(dst, dst.Bounds(), src, src.Bounds(), xdraw.Src, nil)
	return dst
}

// shrink makes a large source small cheaply before the good filter runs:
// CatmullRom's cost grows with the source, a box average's barely, and
// averaging k×k blocks is itself a sound downscale (area sampling). It
// keeps at least the target size, so the final filter only ever shrinks by
// less than 2×.
func shrink(src image.Image, dw, dh int) image.Image {
	b := src.Bounds()
	k := min(b.Dx()/dw, b.Dy()/dh)
	if k < 2 {
		return src
	}
	rgba := toRGBA(src)
	return boxShrink(rgba, k)
}

func toRGBA(src image.Image) *image.RGBA {
	if r, ok := src.(*image.RGBA); ok {
		return r
	}
	b := src.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	xdraw.Draw(dst, dst.Bounds(), src, b.Min, xdraw.Src)
	return dst
}

// boxShrink averages k×k blocks of src (premultiplied RGBA, so alpha
// averages right).
func boxShrink(src *image.RGBA, k int) *image.RGBA {
	b := src.Bounds()
	w, h := b.Dx()/k, b.Dy()/k
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	sums := make([]uint32, w*4)
	n := uint32(k * k)
	for y := range h {
		clear(sums)
		for yy := range k {
			row := src.Pix[(y*k+yy)*src.Stride:]
			for x := range w {
				o := x * k * 4
				s := sums[x*4 : x*4+4]
				for xx := range k {
					p := row[o+xx*4 : o+xx*4+4]
					s[0] += uint32(p[0])
					s[1] += uint32(p[1])
					s[2] += uint32(p[2])
					s[3] += uint32(p[3])
				}
			}
		}
		out := dst.Pix[y*dst.Stride:]
		for i, v := range sums {
			out[i] = uint8(v / n)
		}
	}
	return dst
}

// encodeStill encodes a still thumbnail: JPEG for JPEG sources (photos),
// PNG for the rest (it keeps transparency).
func encodeStill(img image.Image, sourceFormat string, quality int) ([]byte, string, error) {
	var buf bytes.Buffer
	if sourceFormat == "jpeg" {
		if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality}); err != nil {
			return nil, "", err
		}
		return buf.Bytes(), "image/jpeg", nil
	}
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), "image/png", nil
}

// renderAnimated scales every frame of an animated GIF per p into a new
// animated GIF. Frames are composed onto a canvas first (GIF frames may
// cover part of the image and rely on the previous ones), so each output
// frame is whole.
func renderAnimated(g *gif.GIF, w, h int, p plan) ([]byte, error) {
	canvas := image.NewRGBA(image.Rect(0, 0, w, h))
	pal := append(color.Palette{color.Transparent}, palette.Plan9[:255]...)
	out := &gif.GIF{LoopCount: g.LoopCount, Config: image.Config{ColorModel: pal, Width: p.dw, Height: p.dh}}
	var saved *image.RGBA
	for i, frame := range g.Image {
		disposal := byte(0)
		if i < len(g.Disposal) {
			disposal = g.Disposal[i]
		}
		if disposal == gif.DisposalPrevious {
			saved = image.NewRGBA(canvas.Bounds())
			copy(saved.Pix, canvas.Pix)
		}
		xdraw.Draw(canvas, frame.Bounds(), frame, frame.Bounds().Min, xdraw.Over)
		scaled := render(canvas, p)
		pf := image.NewPaletted(scaled.Bounds(), pal)
		xdraw.FloydSteinberg.Draw(pf, pf.Bounds(), scaled, image.Point{})
		out.Image = append(out.Image, pf)
		delay := 10
		if i < len(g.Delay) {
			delay = g.Delay[i]
		}
		out.Delay = append(out.Delay, delay)
		out.Disposal = append(out.Disposal, gif.DisposalNone)
		switch disposal {
		case gif.DisposalBackground:
			xdraw.Draw(canvas, frame.Bounds(), image.Transparent, image.Point{}, xdraw.Src)
		case gif.DisposalPrevious:
			copy(canvas.Pix, saved.Pix)
		}
	}
	var buf bytes.Buffer
	if err := gif.EncodeAll(&buf, out); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
