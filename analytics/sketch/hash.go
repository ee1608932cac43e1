package sketch

// Hash is the 64-bit hash both sketches use for a key: 64-bit FNV-1a over
// the key's bytes, then the 64-bit finalizer of MurmurHash3 (fmix64), so
// that every output bit depends on every input bit (FNV-1a alone leaves the
// high bits, which HyperLogLog uses for the register index, poorly mixed
// for short keys). It is fixed, not seeded per process: the same keys give
// the same estimates on every run and every node.
func Hash(key string) uint64 {
	const (
		offset = 14695981039346656037
		prime  = 1099511628211
	)
	h := uint64(offset)
	for i := 0; i < len(key); i++ {
		h ^= uint64(key[i])
		h *= prime
	}
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}
