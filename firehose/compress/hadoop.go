package compress

import (
	"encoding/binary"
	"io"
)

// HADOOP_SNAPPY: Hadoop's block format, what org.apache.hadoop.io.compress.
// SnappyCodec writes through BlockCompressorStream and reads through
// BlockDecompressorStream (Hadoop, Spark, Hive and Athena read it as
// .snappy). The Firehose developer guide points at BlockCompressorStream.java
// for "the Snappy framing format that Hadoop relies on"
// (record-format-conversion.md). The layout:
//
//	block   uncompressed length int32 BE
//	        then chunks until that many bytes are covered:
//	          compressed length int32 BE | a raw Snappy block
//
// There is no file header or trailer and no checksum. Eddy writes one
// chunk per block. A block holds at most hadoopBlockSize input bytes:
// SnappyCodec's default buffer (io.compression.codec.snappy.buffersize,
// 256 KiB) less BlockCompressorStream's compression overhead for Snappy
// (bufferSize/6 + 32), so that Hadoop's decompressor buffer holds every
// block.
const hadoopBlockSize = 256<<10 - (256<<10/6 + 32)

func newHadoopSnappyWriter(w io.Writer) *blockWriter {
	return &blockWriter{
		w:    w,
		size: hadoopBlockSize,
		buf:  make([]byte, 0, 64<<10),
		emit: func(out, block []byte) []byte {
			out = binary.BigEndian.AppendUint32(out, uint32(len(block)))
			return appendSnappyBlock(out, block)
		},
	}
}
