package media

import (
	"image"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPlanFor(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		w, h   int
		b      box
		dw, dh int
		crop   image.Rectangle
	}{
		{"scale down keeps aspect", 1000, 800, box{320, 240, MethodScale}, 300, 240, image.Rect(0, 0, 1000, 800)},
		{"scale never up", 100, 50, box{320, 240, MethodScale}, 100, 50, image.Rect(0, 0, 100, 50)},
		{"scale tall image", 300, 3000, box{320, 240, MethodScale}, 24, 240, image.Rect(0, 0, 300, 3000)},
		{"scale to one pixel at least", 10000, 1, box{32, 32, MethodScale}, 32, 1, image.Rect(0, 0, 10000, 1)},
		{"crop centre of a wide image", 1000, 800, box{96, 96, MethodCrop}, 96, 96, image.Rect(100, 0, 900, 800)},
		{"crop centre of a tall image", 800, 1000, box{96, 96, MethodCrop}, 96, 96, image.Rect(0, 100, 800, 900)},
		{"crop box larger than the image keeps the box's aspect", 40, 30, box{96, 96, MethodCrop}, 30, 30, image.Rect(5, 0, 35, 30)},
		{"crop box wider than the image", 100, 100, box{200, 50, MethodCrop}, 100, 25, image.Rect(0, 37, 100, 62)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := planFor(tc.w, tc.h, tc.b)
			require.Equal(t, tc.dw, p.dw)
			require.Equal(t, tc.dh, p.dh)
			require.Equal(t, tc.crop, p.crop)
			require.LessOrEqual(t, p.dw, tc.w)
			require.LessOrEqual(t, p.dh, tc.h)
		})
	}
}

func TestChooseBox(t *testing.T) {
	t.Parallel()
	s := &Service{cfg: DefaultConfig()}
	for _, tc := range []struct {
		name   string
		w, h   int
		method string
		want   box
	}{
		{"exact configured crop", 32, 32, MethodCrop, box{32, 32, MethodCrop}},
		{"smallest crop covering the request", 33, 20, MethodCrop, box{96, 96, MethodCrop}},
		{"smallest scale covering the request", 321, 100, MethodScale, box{640, 480, MethodScale}},
		{"both sides must be covered", 100, 500, MethodScale, box{800, 600, MethodScale}},
		{"method matters", 96, 96, MethodScale, box{320, 240, MethodScale}},
		{"nothing large enough: on demand", 1000, 700, MethodScale, box{1000, 700, MethodScale}},
		{"on demand is capped", 5000, 100, MethodCrop, box{1600, 100, MethodCrop}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, s.chooseBox(tc.w, tc.h, tc.method))
		})
	}
	t.Run("without dynamic thumbnails, the largest configured box", func(t *testing.T) {
		t.Parallel()
		cfg := DefaultConfig()
		cfg.Thumbnails.Dynamic = false
		s := &Service{cfg: cfg}
		require.Equal(t, box{800, 600, MethodScale}, s.chooseBox(1000, 1000, MethodScale))
	})
}

func TestBoxShrinkAverages(t *testing.T) {
	t.Parallel()
	src := image.NewRGBA(image.Rect(0, 0, 4, 2))
	for i := range src.Pix {
		src.Pix[i] = uint8(i % 8 * 10) // pixel 0: 0,10,20,30; pixel 1: 40,50,60,70; repeating
	}
	dst := boxShrink(src, 2)
	require.Equal(t, image.Rect(0, 0, 2, 1), dst.Bounds())
	require.Equal(t, []uint8{20, 30, 40, 50, 20, 30, 40, 50}, dst.Pix)
}
