-- section 13: routing.drain() concurrent with everything else assigns only
-- what nobody else assigns (exactly once); usually it finds nothing
select routing.drain();
