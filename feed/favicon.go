package feed

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/png"
	"math"
)

// favicon returns a 32×32 feed icon (a dot and two arcs, white on orange)
// as an ICO file holding one PNG image. Feed readers ask for /favicon.ico
// when they subscribe.
func favicon() ([]byte, error) {
	const size = 32
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	orange := color.NRGBA{0xEE, 0x80, 0x2F, 0xFF}
	white := color.NRGBA{0xFF, 0xFF, 0xFF, 0xFF}
	ox, oy := 7.0, 25.0 // the dot's centre, near the bottom-left corner
	for y := range size {
		for x := range size {
			c := orange
			px, py := float64(x)+0.5, float64(y)+0.5
			d := math.Hypot(px-ox, py-oy)
			inQuadrant := px >= ox-3 && py <= oy+3
			if d < 3.5 || (inQuadrant && ((d > 9 && d < 13) || (d > 16.5 && d < 20.5))) {
				c = white
			}
			img.SetNRGBA(x, y, c)
		}
	}
	var pngData bytes.Buffer
	if err := png.Encode(&pngData, img); err != nil {
		return nil, err
	}
	var ico bytes.Buffer
	for _, v := range []any{
		uint16(0), uint16(1), uint16(1), // ICONDIR: reserved, type icon, one image
		uint8(size), uint8(size), uint8(0), uint8(0), // ICONDIRENTRY: width, height, palette, reserved
		uint16(1), uint16(32), // colour planes, bits per pixel
		uint32(pngData.Len()), uint32(6 + 16), // image size, offset after the headers
	} {
		if err := binary.Write(&ico, binary.LittleEndian, v); err != nil {
			return nil, err
		}
	}
	ico.Write(pngData.Bytes())
	return ico.Bytes(), nil
}
