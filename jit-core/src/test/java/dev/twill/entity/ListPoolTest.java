package dev.twill.entity;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ListPoolTest {
    /** Random operations against java.util lists as the oracle. */
    @Test
    void behavesLikeArrayLists() {
        ListPool pool = new ListPool();
        Random rnd = new Random(42);
        int n = 50;
        int[] handles = new int[n];
        List<List<Integer>> model = new ArrayList<>();
        for (int k = 0; k < n; k++) model.add(new ArrayList<>());
        for (int step = 0; step < 20000; step++) {
            int k = rnd.nextInt(n);
            List<Integer> m = model.get(k);
            switch (rnd.nextInt(5)) {
                case 0, 1 -> {
                    int v = rnd.nextInt();
                    handles[k] = pool.push(handles[k], v);
                    m.add(v);
                }
                case 2 -> {
                    if (!m.isEmpty()) {
                        int at = rnd.nextInt(m.size());
                        handles[k] = pool.remove(handles[k], at);
                        m.remove(at);
                    }
                }
                case 3 -> {
                    int at = rnd.nextInt(m.size() + 1);
                    int v = rnd.nextInt();
                    handles[k] = pool.insert(handles[k], at, v);
                    m.add(at, v);
                }
                default -> {
                    pool.free(handles[k]);
                    handles[k] = ListPool.EMPTY;
                    m.clear();
                }
            }
            assertEquals(m.size(), pool.size(handles[k]));
        }
        for (int k = 0; k < n; k++) {
            List<Integer> m = model.get(k);
            for (int i = 0; i < m.size(); i++) assertEquals((int) m.get(i), pool.get(handles[k], i));
        }
    }
}
