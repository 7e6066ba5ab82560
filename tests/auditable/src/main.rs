fn main() {
    let mut v: smallvec::SmallVec<[u64; 4]> = smallvec::SmallVec::new();
    v.extend(std::env::args().map(|a| a.len() as u64));
    let mut b = itoa::Buffer::new();
    println!("{}", b.format(v.iter().sum::<u64>()));
}
