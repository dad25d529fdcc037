//! Numbers set aside to be read again: what an experiment's summaries need of every
//! replicate, kept on disk rather than in memory.
//!
//! A summary over replicates (mean, then the standard deviation about that mean: two passes,
//! as [`crate::run::Summary::of`] computes it) needs every replicate's values twice. Held in
//! memory they would grow with the replicates; a spill writes them once, as replicates
//! stream by, and reads them back twice at the end. A spill in a file is an unnamed
//! temporary file (gone when closed, even when the process is killed); one in memory serves
//! callers that hold the replicates anyway.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::Path;

/// Values written once and read back, in the order written, as often as needed.
pub enum Spill {
    Memory(Vec<u8>),
    File(BufWriter<File>),
}

impl Spill {
    /// A spill in memory.
    pub fn memory() -> Spill {
        Spill::Memory(Vec::new())
    }

    /// A spill in an unnamed temporary file in `dir` (an output folder: the same disk as the
    /// results, where there is room for them).
    pub fn file_in(dir: &Path) -> io::Result<Spill> {
        Ok(Spill::File(BufWriter::new(tempfile::tempfile_in(dir)?)))
    }

    fn put(&mut self, bytes: &[u8]) -> io::Result<()> {
        match self {
            Spill::Memory(v) => {
                v.extend_from_slice(bytes);
                Ok(())
            }
            Spill::File(w) => w.write_all(bytes),
        }
    }

    pub fn put_u32(&mut self, x: u32) -> io::Result<()> {
        self.put(&x.to_le_bytes())
    }

    /// A number, bit for bit (NaN and −0 included).
    pub fn put_f64(&mut self, x: f64) -> io::Result<()> {
        self.put(&x.to_bits().to_le_bytes())
    }

    /// Everything written, from the start: once writing is done (a later write would land
    /// where the last read ended).
    pub fn read(&mut self) -> io::Result<SpillReader<'_>> {
        Ok(SpillReader(match self {
            Spill::Memory(v) => Box::new(&v[..]),
            Spill::File(w) => {
                w.flush()?;
                let file = w.get_mut();
                file.seek(SeekFrom::Start(0))?;
                Box::new(BufReader::new(file))
            }
        }))
    }
}

/// One pass over a [`Spill`].
pub struct SpillReader<'a>(Box<dyn Read + 'a>);

impl SpillReader<'_> {
    pub fn u32(&mut self) -> io::Result<u32> {
        let mut b = [0; 4];
        self.0.read_exact(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    pub fn f64(&mut self) -> io::Result<f64> {
        let mut b = [0; 8];
        self.0.read_exact(&mut b)?;
        Ok(f64::from_bits(u64::from_le_bytes(b)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_spill_reads_back_every_bit_as_often_as_asked() {
        let dir = tempfile::tempdir().unwrap();
        let values = [1.5, -0.0, f64::NAN, f64::MIN_POSITIVE, 1e300];
        for mut spill in [Spill::memory(), Spill::file_in(dir.path()).unwrap()] {
            spill.put_u32(7).unwrap();
            values.iter().for_each(|&x| spill.put_f64(x).unwrap());
            for _ in 0..2 {
                let mut r = spill.read().unwrap();
                assert_eq!(r.u32().unwrap(), 7);
                for &x in &values {
                    assert_eq!(r.f64().unwrap().to_bits(), x.to_bits());
                }
                assert!(r.f64().is_err(), "nothing more");
            }
        }
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "an unnamed file leaves nothing in the folder"
        );
    }
}
