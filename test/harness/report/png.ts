// Just enough of a PNG decoder to look at a Chromium screenshot: 8-bit greyscale, RGB or
// RGBA, not interlaced. IDAT chunks are concatenated, inflated with node's zlib and
// un-filtered row by row (PNG filter types 0-4).

import { inflateSync } from 'node:zlib'

export interface Image {
  width: number
  height: number
  /** RGB triplets, row by row. */
  rgb: Uint8Array
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 6: 4 }

function paeth (a: number, b: number, c: number): number {
  const p = a + b - c
  const pa = Math.abs(p - a)
  const pb = Math.abs(p - b)
  const pc = Math.abs(p - c)
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c
}

export function decodePng (file: Buffer): Image {
  if (!file.subarray(0, 8).equals(SIGNATURE)) throw new Error('not a PNG file')
  let offset = 8
  let width = 0
  let height = 0
  let channels = 0
  const idat: Buffer[] = []
  while (offset + 8 <= file.length) {
    const length = file.readUInt32BE(offset)
    const type = file.toString('latin1', offset + 4, offset + 8)
    const data = file.subarray(offset + 8, offset + 8 + length)
    if (type === 'IHDR') {
      width = data.readUInt32BE(0)
      height = data.readUInt32BE(4)
      const bitDepth = data[8]
      channels = CHANNELS[data[9]] ?? 0
      if (bitDepth !== 8 || channels === 0 || data[12] !== 0) throw new Error(`unsupported PNG: depth ${bitDepth}, colour type ${data[9]}, interlace ${data[12]}`)
    } else if (type === 'IDAT') {
      idat.push(data)
    } else if (type === 'IEND') {
      break
    }
    offset += 12 + length
  }
  const raw = inflateSync(Buffer.concat(idat))
  const stride = width * channels
  const pixels = new Uint8Array(stride * height)
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1))
    for (let x = 0; x < stride; x++) {
      const left = x >= channels ? pixels[y * stride + x - channels] : 0
      const up = y > 0 ? pixels[(y - 1) * stride + x] : 0
      const upLeft = x >= channels && y > 0 ? pixels[(y - 1) * stride + x - channels] : 0
      const predictor = filter === 0 ? 0 : filter === 1 ? left : filter === 2 ? up : filter === 3 ? (left + up) >> 1 : paeth(left, up, upLeft)
      pixels[y * stride + x] = (line[x] + predictor) & 0xff
    }
  }
  const rgb = new Uint8Array(width * height * 3)
  for (let i = 0; i < width * height; i++) {
    for (let c = 0; c < 3; c++) rgb[i * 3 + c] = pixels[i * channels + (channels === 1 ? 0 : c)]
  }
  return { width, height, rgb }
}

/** Pixels in the rectangle whose colour is within `tolerance` of `color` on every channel. */
export function countColor (image: Image, color: readonly [number, number, number], tolerance: number, box = { x: 0, y: 0, width: image.width, height: image.height }): number {
  let count = 0
  for (let y = box.y; y < Math.min(image.height, box.y + box.height); y++) {
    for (let x = box.x; x < Math.min(image.width, box.x + box.width); x++) {
      const i = (y * image.width + x) * 3
      if (Math.abs(image.rgb[i] - color[0]) <= tolerance && Math.abs(image.rgb[i + 1] - color[1]) <= tolerance && Math.abs(image.rgb[i + 2] - color[2]) <= tolerance) count++
    }
  }
  return count
}

/** Pixels that are not (near) white. */
export function countInk (image: Image, box = { x: 0, y: 0, width: image.width, height: image.height }): number {
  let count = 0
  for (let y = box.y; y < Math.min(image.height, box.y + box.height); y++) {
    for (let x = box.x; x < Math.min(image.width, box.x + box.width); x++) {
      const i = (y * image.width + x) * 3
      if (image.rgb[i] < 235 || image.rgb[i + 1] < 235 || image.rgb[i + 2] < 235) count++
    }
  }
  return count
}
