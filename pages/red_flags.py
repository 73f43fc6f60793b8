import streamlit as st

st.title("red_flags")
